from django.apps import AppConfig

from wagtail.users.apps import WagtailUsersAppConfig


class ResourceCenterConfig(AppConfig):
    default = True  # the app's config ("resourcecenter" in INSTALLED_APPS)
    name = "resourcecenter"
    verbose_name = "Resource Center site"

    def ready(self) -> None:
        from resourcecenter import signals  # noqa: F401 - connects the receivers


class UsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's users app with our Users screen (display name, e-mail rows kept in line with
    allauth, race-safe saves): resourcecenter.admin_users. Listed in INSTALLED_APPS in place of
    "wagtail.users"; the app label stays "wagtailusers"."""

    default = False
    user_viewset = "resourcecenter.admin_users.UserViewSet"
