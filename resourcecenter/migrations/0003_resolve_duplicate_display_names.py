"""Make display names unique ignoring case, before 0004 adds the database constraint.

Deterministic: in every group of accounts whose names are equal ignoring case, the account that
joined first (then the lowest id) keeps its name; each other one gets the first free
"<name> 2", "<name> 3" ... (its base cut so the result stays within 40 characters, the longest
name the profile form accepts). Comparisons use the database's own LOWER(), exactly like the
constraint, so nothing it would refuse can survive. Empty names are left alone (they may repeat).
"""

from django.db import migrations
from django.db.models import Count, Value
from django.db.models.functions import Lower

NAME_MAX = 40


def _taken(User, name: str) -> bool:
    return (
        User.objects.exclude(display_name="")
        .annotate(lowered=Lower("display_name"))
        .filter(lowered=Lower(Value(name)))
        .exists()
    )


def resolve_duplicates(apps, schema_editor):
    User = apps.get_model("resourcecenter", "User")
    groups = (
        User.objects.exclude(display_name="")
        .annotate(lowered=Lower("display_name"))
        .values("lowered")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by("lowered")
    )
    for group in list(groups):
        users = list(
            User.objects.annotate(lowered=Lower("display_name"))
            .filter(lowered=group["lowered"])
            .exclude(display_name="")
            .order_by("date_joined", "pk")
        )
        for user in users[1:]:
            number = 2
            while True:
                suffix = f" {number}"
                candidate = user.display_name[: NAME_MAX - len(suffix)].rstrip() + suffix
                if not _taken(User, candidate):
                    break
                number += 1
            User.objects.filter(pk=user.pk).update(display_name=candidate)


class Migration(migrations.Migration):
    dependencies = [("resourcecenter", "0002_homepage_supportsettings")]

    operations = [migrations.RunPython(resolve_duplicates, migrations.RunPython.noop)]
