from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self):
        from search import checks, registry  # noqa: F401  (checks registers itself)

        registry.autodiscover()
        post_migrate.connect(grant_editors, sender=self, dispatch_uid="search_grant_editors")


def grant_editors(sender, using="default", **kwargs):
    """Editors (resourcecenter.roles) tune search: they read the search reports and keep the
    synonyms that turn a query without results into one with."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    from resourcecenter.roles import EDITORS_GROUP

    create_permissions(apps.get_app_config("search"), verbosity=0, using=using)
    group, _ = Group.objects.using(using).get_or_create(name=EDITORS_GROUP)
    group.permissions.add(
        *Permission.objects.using(using).filter(
            content_type__app_label="search",
            codename__in=[f"{verb}_synonym" for verb in ("view", "add", "change", "delete")],
        )
    )
