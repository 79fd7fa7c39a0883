from django.apps import AppConfig
from django.db.models.signals import post_migrate


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = "Resource Center content"

    def ready(self):
        from kb import signals  # noqa: F401  (scheduled publishing on time)

        post_migrate.connect(grant_editors, sender=self, dispatch_uid="kb_grant_editors")


# Model permissions the Editors group holds beside Wagtail's own page, image and document
# ones: the Resource Center's product areas and its redirects (a moved page keeps its links).
EDITOR_MODEL_PERMISSIONS = {
    "kb": ("productarea",),
    "wagtailredirects": ("redirect",),
}
# Page permissions on the whole tree, as Wagtail's own Editors have them: they draft and
# submit for moderation; publishing, locking and moving stay with Wagtail's page "Moderators"
# who approve (the editorial review: an editor's change is read by a second person first).
EDITOR_PAGE_PERMISSIONS = (
    "add_page",
    "change_page",
)


def grant_editors(sender, using="default", **kwargs):
    """What the Editors role (resourcecenter.roles) may do: the whole Resource Center, nothing
    of tickets, moderation or site settings."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    from wagtail.models import GroupPagePermission, Page

    from resourcecenter.roles import EDITORS_GROUP

    for app_label in EDITOR_MODEL_PERMISSIONS:
        if apps.is_installed(app_label):
            create_permissions(apps.get_app_config(app_label), verbosity=0, using=using)
    group, _ = Group.objects.using(using).get_or_create(name=EDITORS_GROUP)
    for app_label, models in EDITOR_MODEL_PERMISSIONS.items():
        codenames = [f"{verb}_{m}" for m in models for verb in ("view", "add", "change", "delete")]
        group.permissions.add(
            *Permission.objects.using(using).filter(
                content_type__app_label=app_label, codename__in=codenames
            )
        )
    root = Page.objects.using(using).filter(depth=1).first()
    if root is None:
        return
    for permission in Permission.objects.using(using).filter(
        content_type__app_label="wagtailcore", codename__in=EDITOR_PAGE_PERMISSIONS
    ):
        GroupPagePermission.objects.using(using).get_or_create(
            group=group, page=root, permission=permission
        )
