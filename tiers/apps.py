from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TiersConfig(AppConfig):
    name = "tiers"
    verbose_name = "Support tiers"

    def ready(self):
        from resourcecenter import access
        from tiers import gate, signals

        access.register(gate)  # kb, forum and search ask through the core's access interface
        gate._connect_invalidation()
        signals.connect()
        post_migrate.connect(grant_support_staff, sender=self, dispatch_uid="tiers_grant_staff")


def grant_support_staff(sender, using="default", **kwargs):
    """Support staff work the ticket queue (incl. opening tickets for customers), service
    problems and organisations in the Wagtail admin; plans and the other settings stay with
    superusers (and whoever they grant)."""
    from django.contrib.auth.models import Group, Permission

    from resourcecenter.roles import SUPPORT_STAFF_GROUP

    group, _ = Group.objects.using(using).get_or_create(name=SUPPORT_STAFF_GROUP)
    wanted = [
        ("wagtailadmin", "access_admin"),
        ("tiers", "view_ticket"),
        ("tiers", "add_ticket"),
        ("tiers", "change_ticket"),
        ("tiers", "view_serviceproblem"),
        ("tiers", "add_serviceproblem"),
        ("tiers", "change_serviceproblem"),
        ("tiers", "view_problemnotification"),
        ("tiers", "view_ticketevent"),
        ("tiers", "view_organisation"),
        ("tiers", "change_organisation"),
        ("tiers", "view_subscription"),
        ("tiers", "view_invoice"),
        ("tiers", "view_plan"),
        ("tiers", "view_escalationcontact"),
        ("tiers", "view_exclusionreason"),
    ]
    for app_label, codename in wanted:
        permission = (
            Permission.objects.using(using)
            .filter(content_type__app_label=app_label, codename=codename)
            .first()
        )
        if permission is not None:
            group.permissions.add(permission)
