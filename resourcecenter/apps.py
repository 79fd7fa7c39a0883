from django.apps import AppConfig
from django.db.models.signals import post_migrate

from wagtail.users.apps import WagtailUsersAppConfig


class ResourceCenterConfig(AppConfig):
    default = True  # the app's config ("resourcecenter" in INSTALLED_APPS)
    name = "resourcecenter"
    verbose_name = "Resource Center site"

    def ready(self) -> None:
        from resourcecenter import signals  # noqa: F401 - connects the receivers

        post_migrate.connect(ensure_role_groups, sender=self, dispatch_uid="rc_role_groups")


def ensure_role_groups(sender, using="default", **kwargs):
    """Every staff role's group exists and reaches the Wagtail admin; what each may do there is
    granted by the app that owns the screens (tiers, forum, kb) in its own post_migrate."""
    from django.contrib.auth.models import Group, Permission

    from resourcecenter.roles import ROLE_POWERS

    access_admin = (
        Permission.objects.using(using)
        .filter(content_type__app_label="wagtailadmin", codename="access_admin")
        .first()
    )
    for name in ROLE_POWERS:
        group, _ = Group.objects.using(using).get_or_create(name=name)
        if access_admin is not None:
            group.permissions.add(access_admin)


class UsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's users app with our Users screen (display name, e-mail rows kept in line with
    allauth, race-safe saves): resourcecenter.admin_users. Listed in INSTALLED_APPS in place of
    "wagtail.users"; the app label stays "wagtailusers"."""

    default = False
    user_viewset = "resourcecenter.admin_users.UserViewSet"
