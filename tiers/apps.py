from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TiersConfig(AppConfig):
    name = "tiers"
    verbose_name = "Support tiers"

    def ready(self):
        # The sweep's jobs (tiers.sweeps) register themselves when their modules are imported.
        from resourcecenter import access, notices
        from tiers import gate, signals
        from tiers.incidents import deflection, problems, statuscache, webhooks  # noqa: F401
        from tiers.plans import calendars, subscriptions  # noqa: F401
        from tiers.reports import housekeeping, kpi, warning_alerts  # noqa: F401
        from tiers.tickets import sla  # noqa: F401

        access.register(gate)  # kb, forum and search ask through the core's access interface
        notices.register(deflection.banner)  # the incident banner, wherever customers ask
        gate.connect_invalidation()
        signals.connect()
        statuscache.connect()
        from tiers.tickets import webhooks as inbound_email

        inbound_email.connect()  # inbound e-mail from the provider (django-anymail's signal)
        post_migrate.connect(grant_support_staff, sender=self, dispatch_uid="tiers_grant_staff")


def grant_support_staff(sender, using="default", **kwargs):
    """What the support roles may do in the Wagtail admin's tiers screens (resourcecenter.roles
    says who holds which role). Analysts work the ticket queue (incl. opening tickets for
    customers), macros and service problems; leads also manage plans, subscriptions, escalation
    contacts, calendars and holidays, the plan restrictions on pages and categories, and mark
    invoices paid. Editors and community moderators get nothing here."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    from resourcecenter.roles import ANALYSTS_GROUP, LEADS_GROUP

    # This receiver may run before auth's own for this app (INSTALLED_APPS order): make sure
    # the permission rows exist, or a fresh database grants the roles nothing.
    create_permissions(apps.get_app_config("tiers"), verbosity=0, using=using)

    analyst = [
        "view_ticket", "add_ticket", "change_ticket",
        "view_inboundmessage", "change_inboundmessage",
        "view_serviceproblem", "add_serviceproblem", "change_serviceproblem",
        "view_problemnotification", "view_ticketevent",
        "view_organisation", "change_organisation",
        "view_subscription", "view_invoice", "view_plan", "view_resolutiontarget",
        "view_escalationcontact", "view_exclusionreason",
        "view_macro", "add_macro", "change_macro", "delete_macro",
    ]  # fmt: skip
    lead = analyst + [
        f"{verb}_{model}"
        for model in (
            "plan", "resolutiontarget", "subscription", "escalationcontact", "escalationrule",
            "exclusionreason",
            "businesscalendar", "holiday", "severityscheme", "severitylevel", "organisation",
            "pagerestriction", "categoryrestriction",
        )
        for verb in ("view", "add", "change", "delete")
    ] + ["change_invoice"]  # fmt: skip
    # The admin itself: a data migration granted it once, but a database rebuilt without
    # migrations' data (a flush, as between transactional tests) must not lock analysts out.
    create_permissions(apps.get_app_config("wagtailadmin"), verbosity=0, using=using)
    admin_access = Permission.objects.using(using).filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    for group_name, codenames in ((ANALYSTS_GROUP, analyst), (LEADS_GROUP, lead)):
        group, _ = Group.objects.using(using).get_or_create(name=group_name)
        group.permissions.add(
            *Permission.objects.using(using).filter(
                content_type__app_label="tiers", codename__in=codenames
            ),
            *admin_access,
        )
