"""The staff roles become their own groups (resourcecenter.roles).

"Support staff" is renamed "Support analysts" (its members and permissions kept). Wagtail's page
"Moderators" group no longer moderates the forum: its members are *not* moved, since that group
is about publishing pages; forum moderators are added to "Community moderators" by an admin.
"""

from django.db import migrations

OLD, NEW = "Support staff", "Support analysts"
CREATED = ["Support leads", "Community moderators"]


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    old = Group.objects.filter(name=OLD).first()
    if old is not None and not Group.objects.filter(name=NEW).exists():
        old.name = NEW
        old.save(update_fields=["name"])
    for name in [NEW, *CREATED]:
        Group.objects.get_or_create(name=name)


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    new = Group.objects.filter(name=NEW).first()
    if new is not None and not Group.objects.filter(name=OLD).exists():
        new.name = OLD
        new.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [
        ("resourcecenter", "0004_user_display_name_unique"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
