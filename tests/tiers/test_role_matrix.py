"""The role matrix over every URL of the site and of the Wagtail admin (issue 13).

Every URL pattern the resolver knows (including each Wagtail viewset's URLs) is filled with real
objects made here and requested as each role: two organisations, so a customer of one never
reaches the other's tickets. Each URL belongs to one *area* (the first rule of `RULES` whose
pattern matches its name); each area says which roles may use it. Allowed means a page (200) or
a redirect that is not a refusal; refused means 403, 404, a redirect to a login page, or
Wagtail's "you do not have permission" redirect to the dashboard. A 500 fails everywhere.

A new view with no permission check fails here (a role outside its area gets a page), and so
does a URL no rule classifies: adding a view means saying who may use it.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
import re
from decimal import Decimal

from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from wagtail.coreutils import resolve_model_string

import pytest

from resourcecenter import roles

ANON = "anonymous"
MEMBER = "member"  # signed in, in no organisation
ORG_ADMIN = "org_admin"  # admin of organisation A (the objects below belong to A)
ORG_MEMBER = "org_member"  # member of organisation A who opened A's ticket
OTHER_ORG = "other_org_admin"  # admin of organisation B
EDITOR = "editor"
MODERATOR = "moderator"
ANALYST = "analyst"
LEAD = "lead"
SITE_ADMIN = "site_admin"
ROLES = [
    ANON,
    MEMBER,
    ORG_ADMIN,
    ORG_MEMBER,
    OTHER_ORG,
    EDITOR,
    MODERATOR,
    ANALYST,
    LEAD,
    SITE_ADMIN,
]
SIGNED_IN = set(ROLES) - {ANON}
ADMIN_USERS = {EDITOR, MODERATOR, ANALYST, LEAD, SITE_ADMIN}

TICKET_WORKERS = {ANALYST, LEAD, SITE_ADMIN}
MODERATORS = {MODERATOR, ANALYST, LEAD, SITE_ADMIN}
LEADS = {LEAD, SITE_ADMIN}
SKIP = "skip"
ANY = "any"  # login and logout plumbing: every outcome but an error is fine

# Who may use each area: the matrix of issue 13 (resourcecenter.roles says who holds which role).
AREAS: dict[str, set[str]] = {
    "public": set(ROLES),
    "signed in": SIGNED_IN,
    "recipient": {MEMBER},  # the notification made here is the plain member's
    "thread author": {MEMBER},  # the thread made here is the plain member's
    "not the post's author": SIGNED_IN - {ORG_ADMIN},  # no voting on or flagging one's own post
    "post author": {ORG_ADMIN} | MODERATORS,  # the reply made here is A's admin's
    # A's tickets and organisation page: A's people and ticket workers; never B's admin.
    "organisation A": {ORG_ADMIN, ORG_MEMBER} | TICKET_WORKERS,
    # Managing A's members and settings: A's admin, and support staff on their behalf.
    "organisation A admin": {ORG_ADMIN} | TICKET_WORKERS,
    # Cancelling or resuming A's plan: A's admin, or a support lead; buying online: A's admin
    # (leads assign plans in the admin instead).
    "organisation A plan": {ORG_ADMIN} | LEADS,
    "organisation A buyer": {ORG_ADMIN},
    # The problem made here affects every organisation whose plan includes notices (A and B).
    "entitled customers": {ORG_ADMIN, ORG_MEMBER, OTHER_ORG} | TICKET_WORKERS,
    "admin": ADMIN_USERS,  # the Wagtail admin's furniture: dashboard, account, choosers
    # Choosing images and documents: editors, and analysts (their group kept Wagtail's choose
    # permission from the former "Support staff" group).
    "media choosers": {EDITOR, ANALYST, SITE_ADMIN},
    "resource center": {EDITOR, SITE_ADMIN},
    # Publishing, locking, moving and deleting pages: Wagtail's page "Moderators" group, which
    # is none of the support roles; editors draft and submit (kb.apps.grant_editors).
    "publishing": {SITE_ADMIN},
    # What people search for and miss: the editors' content gaps and the leads' reports (the
    # role table gives reports to leads, not analysts); search.reports.may_see_reports.
    "search reports": {EDITOR, LEAD, SITE_ADMIN},
    "moderation": MODERATORS,
    "tickets": TICKET_WORKERS,
    "support lead": LEADS,
    "site admin": {SITE_ADMIN},
    "nobody": set(),  # screens a viewset disables (logs are written by services only)
}

# First match wins; patterns are matched against "namespace:name" (or "route:<route>" for an
# unnamed pattern).
RULES: list[tuple[str, str]] = [
    ("wagtailadmin_error_test", SKIP),  # Wagtail's deliberate error page ("failwhale")
    # Wagtail's redirect import expects the file the previous step stored (KeyError without it).
    ("wagtailredirects:process_import", SKIP),
    # Django's own admin: is_staff, i.e. the site admin only.
    ("admin:logout", ANY),
    ("admin:password_change*", ANY),
    ("admin:login", ANY),
    ("admin:route:django-admin/(?P<url>.*)$", ANY),
    ("admin:autocomplete", ANY),  # answers 403 without its query parameters, even to the admin
    ("admin:django_tasks_database_dbtaskresult_add", "nobody"),  # tasks are queued by code
    ("admin:*", "site admin"),
    # --- the site ---
    ("route:favicon.ico", "public"),
    ("robots_txt", "public"),
    ("sitemap", "public"),
    ("wagtail_serve", "public"),
    ("wagtailcore_*", "public"),
    ("wagtaildocs_serve", "public"),
    ("wagtaildocs_authenticate_with_password", "public"),
    ("kb:*", "public"),
    ("search:*", "public"),
    ("account_login", ANY),
    ("account_logout", ANY),
    ("account_signup", "public"),
    ("account_inactive", "public"),
    ("account_confirm_email", "public"),
    ("account_email_verification_sent", "public"),
    ("account_resend_verification", "public"),
    ("account_reset_password*", "public"),
    ("account_request_login_code", "public"),  # "send me a sign-in code", signed in or not
    ("account_*", "signed in"),
    ("mfa_*", "signed in"),
    ("profile", "signed in"),
    ("forum:triage", "tickets"),
    ("forum:official", "tickets"),
    ("forum:mod_*", "moderation"),
    ("forum:edit", "post author"),
    ("forum:delete", "post author"),
    ("forum:history", "post author"),
    ("forum:flag", "not the post's author"),
    ("forum:vote", "not the post's author"),
    ("forum:notification_open", "recipient"),
    ("forum:ask", "signed in"),
    ("forum:preview", "signed in"),
    ("forum:reply", "signed in"),
    ("forum:accept", "signed in"),
    ("forum:notification*", "signed in"),
    ("forum:watch_*", "signed in"),
    ("forum:*", "public"),
    # The status page and its subscriptions are public (tokens in the links prove the rest).
    ("status:*", "public"),
    # Mailgun's inbound webhook: the provider's signature, not a role, lets a post in (and
    # without a signing key configured, as here, the address does not exist).
    ("tiers:inbound_mailgun*", "nobody"),
    ("tiers:home", "public"),
    ("tiers:plans", "public"),
    ("tiers:invitation", "public"),
    ("tiers:org_list", "signed in"),
    ("tiers:org_create", "signed in"),
    ("tiers:ticket_list", "signed in"),
    ("tiers:ticket_new", "signed in"),
    ("tiers:problem_list", "signed in"),
    ("tiers:problem_detail", "entitled customers"),
    ("tiers:problem_postmortem", "tickets"),  # the world's postmortem is an unpublished draft
    ("tiers:trace_attach", "tickets"),
    ("tiers:thread_escalate", "thread author"),
    ("tiers:thread_promote", "tickets"),
    ("tiers:ticket_staff", "tickets"),
    # The staff workspace's actions and its presence endpoint (tiers.tickets.views_workspace).
    ("tiers:ticket_compose", "tickets"),
    ("tiers:ticket_update", "tickets"),
    ("tiers:ticket_merge", "tickets"),
    ("tiers:ticket_cc", "tickets"),
    ("tiers:ticket_presence", "tickets"),
    # The satisfaction survey: whoever holds the e-mailed signed link (no login).
    ("tiers:satisfaction", "public"),
    ("tiers:org_subscribe", "organisation A buyer"),
    ("tiers:org_cancel", "organisation A plan"),
    ("tiers:org_settings", "organisation A admin"),
    ("tiers:org_invite", "organisation A admin"),
    ("tiers:org_member", "organisation A admin"),
    # Case reports (and their CSV): A's admin, A's members (A lets members see all tickets)
    # and ticket workers, i.e. "organisation A" below.
    ("tiers:org_report*", "organisation A"),
    ("tiers:*", "organisation A"),
    # --- the Wagtail admin ---
    ("wagtailadmin_login", ANY),
    ("wagtailadmin_logout", ANY),
    ("wagtailadmin_password_reset*", ANY),  # signed-in people are sent to the dashboard
    ("wagtailadmin_javascript_catalog", "public"),
    ("wagtailadmin_sprite", "public"),
    ("route:admin/^.*/$", ANY),  # an unknown admin address: 404 inside, login outside
    ("route:admin/test404/", ANY),
    ("wagtailadmin_home", "admin"),
    ("wagtailadmin_account", "admin"),
    ("wagtailadmin_dismissibles", "admin"),
    # The queue, its bulk assign and phone intake; timelines read-only; nothing deleted.
    ("tiers_ticket:delete", "site admin"),
    ("tiers_ticket:*", "tickets"),
    ("tiers_ticketevent:index*", "tickets"),
    ("tiers_ticketevent:inspect", "tickets"),
    ("tiers_ticketevent:*", "site admin"),
    ("tiers_serviceproblem:delete", "site admin"),
    ("tiers_serviceproblem:*", "tickets"),
    ("tiers_problemnotification:index*", "tickets"),
    ("tiers_problemnotification:inspect", "tickets"),
    ("tiers_problemnotification:*", "nobody"),
    # Inbound e-mail: analysts read it and release or discard held messages; the stored
    # messages are evidence, so only the site admin deletes one (none is added by hand).
    ("tiers_inboundmessage:add", "site admin"),
    ("tiers_inboundmessage:delete", "site admin"),
    ("tiers_inboundmessage:*", "tickets"),
    # The status page's admin: analysts and leads keep components, maintenance and webhooks
    # current and remove a subscriber on request; subscribers and webhooks sign up on the
    # public page; the delivery log is read-only; deleting history is the site admin's.
    ("tiers_component:delete", "site admin"),
    ("tiers_component:*", "tickets"),
    ("tiers_maintenancewindow:delete", "site admin"),
    ("tiers_maintenancewindow:*", "tickets"),
    ("tiers_statussubscriber:add", "nobody"),
    ("tiers_statussubscriber:edit", "nobody"),
    ("tiers_statussubscriber:usage", "nobody"),  # Wagtail asks for the power to change it
    ("tiers_statussubscriber:*", "tickets"),
    ("tiers_webhookendpoint:add", "nobody"),
    ("tiers_webhookendpoint:delete", "site admin"),
    ("tiers_webhookendpoint:*", "tickets"),
    ("tiers_webhookdelivery:index*", "tickets"),
    ("tiers_webhookdelivery:inspect", "tickets"),
    ("tiers_webhookdelivery:*", "nobody"),
    ("tiers_organisation:index*", "tickets"),
    ("tiers_organisation:inspect", "tickets"),
    ("tiers_organisation:edit", "tickets"),
    ("tiers_organisation:history*", "tickets"),
    ("tiers_organisation:usage", "tickets"),
    ("tiers_subscription:index*", "tickets"),
    ("tiers_invoice:index*", "tickets"),
    ("tiers_invoice:add", "site admin"),  # invoices are raised by billing
    ("tiers_invoice:delete", "site admin"),
    ("tiers_plan:index*", "tickets"),
    ("tiers_resolutiontarget:index*", "tickets"),  # analysts see the targets they work to
    ("tiers_escalationcontact:index*", "tickets"),  # analysts see whom to escalate to
    ("tiers_exclusionreason:index*", "tickets"),
    ("tiers_macro:*", "tickets"),  # canned replies: analysts and leads manage them
    ("tiers_early_warning", "tickets"),  # suggested incidents: whoever may declare them
    ("tiers_dashboard", "support lead"),  # reports are the leads' (resourcecenter.roles)
    ("tiers_*", "support lead"),
    ("forum_queue:index*", "moderation"),
    ("forum_queue:review", "moderation"),
    ("forum_log:index*", "moderation"),
    ("forum_log:inspect", "moderation"),
    ("forum_members:index*", "moderation"),
    ("forum_members:manage", "moderation"),
    ("forum_queue:*", "nobody"),
    ("forum_log:*", "nobody"),
    ("forum_members:*", "nobody"),
    ("search_*", "search reports"),
    ("kb_*", "resource center"),  # article feedback, pages due for review
    ("wagtailadmin_reports:locked_pages*", "publishing"),
    ("wagtailadmin_reports:site_history*", "admin"),  # each sees the history of what they may
    ("wagtailadmin_reports:*", "resource center"),
    ("wagtailadmin_pages:choose_parent", "admin"),
    ("wagtailadmin_pages:move_confirm", "admin"),
    ("wagtailadmin_pages:confirm_workflow_cancellation", "admin"),
    ("wagtailadmin_pages:delete", "publishing"),
    ("wagtailadmin_pages:lock", "publishing"),
    ("wagtailadmin_pages:unlock", "publishing"),
    ("wagtailadmin_pages:move", "publishing"),
    ("wagtailadmin_pages:set_page_position", "publishing"),
    ("wagtailadmin_pages:set_privacy", "publishing"),
    ("wagtailadmin_pages:unpublish", "publishing"),
    ("wagtailadmin_pages:revisions_unschedule", "publishing"),
    ("wagtailadmin_pages:revisions_index", "publishing"),
    ("wagtailadmin_pages:*", "resource center"),
    ("wagtailadmin_explore*", "resource center"),
    ("wagtailadmin_choose_page*", "admin"),  # Wagtail's choosers need admin access only
    ("wagtailadmin_api:*:listing", "admin"),
    ("wagtailadmin_api:images:*", "admin"),  # Wagtail's admin API: admin access only
    ("wagtailadmin_api:documents:*", "admin"),
    ("wagtailadmin_api:pages:action", "publishing"),
    ("wagtailadmin_api:*", "resource center"),
    ("wagtailadmin_tag_autocomplete", "admin"),
    ("wagtailadmin_tag_*", "resource center"),
    ("wagtailadmin_editing_sessions:*", "admin"),
    ("wagtailadmin_block_preview", "resource center"),
    ("wagtailadmin_workflows:task_choose*", "admin"),
    ("wagtailadmin_workflows:task_chosen", "admin"),
    ("wagtailadmin_workflows:*", "site admin"),
    ("wagtailadmin_collections:*", "site admin"),
    ("wagtail_bulk_action", "resource center"),
    ("wagtailimages_chooser:chosen", "media choosers"),
    ("wagtailimages_chooser:select_format", "media choosers"),
    ("wagtailimages_chooser:create", "resource center"),
    ("wagtailimages_chooser:*", "admin"),
    ("wagtaildocs_chooser:chosen", "media choosers"),
    ("wagtaildocs_chooser:create", "resource center"),
    ("wagtaildocs_chooser:*", "admin"),
    ("wagtailimages*", "resource center"),
    ("wagtaildocs*", "resource center"),
    ("wagtailembeds:*", "admin"),
    # The snippets are product areas and search synonyms: the editors' (kb and search grant
    # them); choosing one needs admin access only.
    ("wagtailsnippetchoosers_*:create", "resource center"),
    ("wagtailsnippetchoosers_*", "admin"),
    ("wagtailsnippets*", "resource center"),
    ("wagtailforms:*", "resource center"),
    ("wagtailredirects:*", "resource center"),  # a moved page keeps its old links
    # Without an id the settings address only redirects (unchecked, Wagtail's own) to the one
    # with it, which is checked below; the redirect carries no verdict of its own.
    ("/admin/settings/resourcecenter/supportsettings/", ANY),
    ("wagtailsettings:*", "site admin"),
    ("wagtailsites:*", "site admin"),
    ("wagtailusers_*", "site admin"),
]
# URLs whose filled object does not apply (the article is no form page, no alias, ...): a 404
# is "not applicable", accepted from any role; everything else still counts.
NOT_APPLICABLE = {
    "wagtailforms:list_submissions",
    "wagtailforms:list_submissions_results",
    "wagtailforms:delete_submissions",
    "wagtailadmin_pages:convert_alias",
    "wagtailadmin_pages:workflow_history_detail",
    "wagtailimages:url_generator",
    "wagtailimages:url_generator_output",
    "wagtailadmin_block_preview",
    "wagtailadmin_api:pages:find",
    "wagtailadmin_api:images:find",
    "wagtailadmin_api:documents:find",
    "wagtailadmin_tag_model_autocomplete",
    "wagtail_bulk_action",
    "mfa_deactivate_totp",
    "wagtailadmin_collections:edit",  # the root collection is not editable
    "wagtailadmin_collections:delete",
    "wagtailsettings:preview_on_edit",
    "wagtaildocs_authenticate_with_password",
    "mfa_view_recovery_codes",
    "mfa_download_recovery_codes",
}


def walk(patterns, route="", namespace=""):
    """(full name, route, pattern) for every URL pattern, through includes and namespaces."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern.url_patterns, route + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            # An unnamed pattern is known by its route.
            name = pattern.name or f"route:{route}{pattern.pattern}"
            full = f"{namespace}:{name}" if namespace else name
            yield full, route + str(pattern.pattern), pattern


def all_urls():
    return list(walk(get_resolver().url_patterns))


PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
DUMP = os.environ.get("ROLE_MATRIX_DUMP")


class World:
    """The objects URL parameters are filled with; organisation A's where it matters."""


@pytest.fixture
def world(db, home_page, user_factory, make_org, infinity, open_ticket):
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from wagtail.contrib.redirects.models import Redirect
    from wagtail.documents.models import Document
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file
    from wagtail.models import Collection, PageViewRestriction, Site, Task, Workflow

    from forum.models import Notification, NotificationKind, TrustLevel
    from forum.moderation_threads import lock_thread
    from forum.watching import unsubscribe_token
    from kb.apps import grant_editors as grant_resource_center
    from kb.models import ArticlePage, ProductArea, ResourceIndexPage
    from search.apps import grant_editors as grant_search
    from search.models import Synonym
    from tests.forum.factories import (
        CategoryFactory,
        TagFactory,
        make_reply,
        make_thread,
        set_trust,
    )
    from tiers.apps import grant_support_staff
    from tiers.incidents.services import record_problem
    from tiers.models import CategoryRestriction, Invitation, Membership, PageRestriction
    from tiers.plans.organisations import invitation_token
    from tiers.tickets.attachments import Upload
    from tiers.tickets.conversation import add_reply
    from tiers.tickets.models import NetworkTrace, TicketAttachment
    from tiers.tickets.quotes import create_quote

    # The roles' grants, as `migrate` leaves them (a transactional test may have flushed them).
    for grant in (grant_support_staff, grant_resource_center, grant_search):
        grant(sender=None)

    w = World()
    users = {}
    users[MEMBER] = user_factory(email="plain@example.com", display_name="Plain member")
    users[ORG_ADMIN] = user_factory(email="admin-a@example.com", display_name="A admin")
    users[ORG_MEMBER] = user_factory(email="member-a@example.com", display_name="A member")
    users[OTHER_ORG] = user_factory(email="admin-b@example.com", display_name="B admin")
    for role, group in (
        (EDITOR, roles.EDITORS_GROUP),
        (MODERATOR, roles.COMMUNITY_MODERATORS_GROUP),
        (ANALYST, roles.ANALYSTS_GROUP),
        (LEAD, roles.LEADS_GROUP),
    ):
        users[role] = user_factory(email=f"{role}@example.com", display_name=role.title())
        users[role].groups.add(Group.objects.get(name=group))
    users[SITE_ADMIN] = user_factory(
        email="root@example.com", display_name="Root", is_staff=True, is_superuser=True
    )
    w.users = users
    w.org = make_org(name="Org A", region="us", plan=infinity, admin=users[ORG_ADMIN])
    w.other_org = make_org(name="Org B", region="eu", plan=infinity, admin=users[OTHER_ORG])
    Membership.objects.create(organisation=w.org, user=users[ORG_MEMBER], role="member")
    w.ticket = open_ticket(w.org, users[ORG_MEMBER])
    w.other_ticket = open_ticket(w.other_org, users[OTHER_ORG])

    w.section = home_page.add_child(instance=ResourceIndexPage(title="Guides", slug="guides"))
    w.article = w.section.add_child(instance=ArticlePage(title="Activate a SIM", slug="sim"))
    w.article.save_revision().publish()
    w.revision = w.article.latest_revision
    w.restriction = PageViewRestriction.objects.create(
        page=w.section.add_child(instance=ResourceIndexPage(title="Locked", slug="locked")),
        restriction_type=PageViewRestriction.PASSWORD,
        password="x",  # noqa: S106
    )
    w.image = Image.objects.create(title="Modem", file=get_test_image_file())
    w.document = Document.objects.create(title="Datasheet", file=ContentFile(b"%PDF", "d.pdf"))
    w.collection = Collection.get_first_root_node()
    w.site = Site.objects.get(is_default_site=True)
    w.workflow = Workflow.objects.first()
    w.task = Task.objects.first()

    category = CategoryFactory(name="APN & data", slug="apn-data")
    w.category = category
    w.tag = TagFactory(name="apn", slug="apn")
    author = users[MEMBER]
    set_trust(author, TrustLevel.MEMBER)
    w.thread = make_thread(author, category, tags="apn")
    set_trust(users[ORG_ADMIN], TrustLevel.MEMBER)
    w.post = make_reply(users[ORG_ADMIN], w.thread)
    w.notification = Notification.objects.create(
        recipient=author, kind=NotificationKind.choices[0][0], thread=w.thread, post=w.post
    )
    locked = make_thread(author, category, title="Which bands does the modem support?")
    lock_thread(locked, by=users[MODERATOR], locked=True)  # a moderation log entry
    ProductArea.objects.create(name="SIMs", slug="sims")
    Synonym.objects.create(terms="APN, access point name")
    PageRestriction.objects.create(page=w.article).plans.add(infinity)
    CategoryRestriction.objects.create(category=CategoryFactory(name="VIP", slug="vip"))
    w.unsubscribe = unsubscribe_token(author, "all")
    w.invitation = Invitation.objects.create(
        organisation=w.org,
        email="new@example.com",
        role="member",
        invited_by=users[ORG_ADMIN],
        expires_at=w.ticket.created_at + dt.timedelta(days=7),
    )
    w.invitation_token = invitation_token(w.invitation)
    add_reply(
        ticket=w.ticket,
        author=users[ORG_MEMBER],
        body="The modem log.",
        uploads=[Upload("modem.log", b"AT+CGDCONT?", "text/plain")],
    )
    w.attachment = TicketAttachment.objects.get(message__ticket=w.ticket)
    w.quote = create_quote(
        ticket=w.ticket, by=users[ANALYST], reason="Outside our network", amount=Decimal(90)
    )
    w.problem = record_problem(
        by=users[ANALYST], title="Data sessions drop in Texas", description="Looking.", severity=2
    )
    w.trace = NetworkTrace.objects.create(
        ticket=w.ticket,
        iccids="89882806660000000010",
        window_start=timezone.now() - dt.timedelta(hours=2),
        window_end=timezone.now() - dt.timedelta(hours=1),
    )
    w.trace.capture.save("trace.pcap", ContentFile(b"\xd4\xc3\xb2\xa1" + bytes(60)))
    w.redirect = Redirect.objects.create(old_path="/old", redirect_link="/new")
    status_objects(w)
    from tiers.models import Macro

    w.macro = Macro.objects.create(name="Ask for the log", body="Hi {customer_name}")
    return w


def status_objects(w) -> None:
    """The status page's admin objects, and an e-mail held for an analyst to decide on."""
    from email.message import EmailMessage

    from tiers.incidents.models import (
        Component,
        MaintenanceWindow,
        StatusSubscriber,
        WebhookDelivery,
        WebhookEndpoint,
    )
    from tiers.models import InboundMessage
    from tiers.tickets import inbound

    component = Component.objects.create(name="Data sessions", slug="data")
    window = MaintenanceWindow.objects.create(
        title="Core upgrade",
        description="Short data-session drops.",
        starts_at=w.ticket.created_at + dt.timedelta(days=3),
        ends_at=w.ticket.created_at + dt.timedelta(days=3, hours=2),
    )
    window.components.add(component)
    StatusSubscriber.objects.create(email="ops@example.com", confirmed_at=w.ticket.created_at)
    endpoint = WebhookEndpoint.objects.create(
        url="https://hooks.example.com/status", contact_email="ops@example.com"
    )
    WebhookDelivery.objects.create(endpoint=endpoint, event="incident.created", body="{}")
    message = EmailMessage()
    message["From"] = w.users[ORG_MEMBER].email
    message["To"] = "support@example.com"
    message["Subject"] = f"Re: [{w.ticket.case_number}] the modem log"
    message.set_content("Attached again.")
    inbound.handle(message.as_bytes())
    w.inbound = InboundMessage.objects.get(status=InboundMessage.HELD)


def viewset_models() -> dict[str, type]:
    """Each Wagtail admin viewset's URL namespace and its model."""
    from wagtail.admin.viewsets import viewsets

    found = {}
    for viewset in viewsets.viewsets:
        model = getattr(viewset, "model", None)
        namespace = getattr(viewset, "name", None) and viewset.url_namespace
        if model is not None and namespace:
            found[namespace] = resolve_model_string(model) if isinstance(model, str) else model
    return found


# Values by (URL name pattern, parameter); the first match wins, then BY_PARAM.
BY_NAME = [
    ("wagtailadmin_pages:revisions_*", "revision_id", lambda w: w.revision.pk),
    ("*", "revision_id_a", lambda w: "earliest"),
    ("*", "revision_id_b", lambda w: "latest"),
    ("wagtailadmin_pages:revisions_compare", "pk", lambda w: w.article.pk),
    ("wagtailadmin_api:images:*", "pk", lambda w: w.image.pk),
    ("wagtailadmin_api:documents:*", "pk", lambda w: w.document.pk),
    ("wagtailadmin_api:*", "pk", lambda w: w.article.pk),
    ("wagtailadmin_api:pages:action", "action_name", lambda w: "copy"),
    ("wagtailadmin_pages:add", "content_type_app_name", lambda w: "kb"),
    ("wagtailadmin_pages:add", "content_type_model_name", lambda w: "articlepage"),
    ("wagtailadmin_pages:preview_on_add", "content_type_app_name", lambda w: "kb"),
    ("wagtailadmin_pages:preview_on_add", "content_type_model_name", lambda w: "articlepage"),
    ("wagtailadmin_pages:add", "parent_page_id", lambda w: w.section.pk),
    ("wagtailadmin_pages:type_use*", "content_type_app_name", lambda w: "kb"),
    ("wagtailadmin_pages:type_use*", "content_type_model_name", lambda w: "articlepage"),
    ("wagtailadmin_pages:choose_parent", "app_label", lambda w: "kb"),
    ("wagtailadmin_pages:choose_parent", "model_name", lambda w: "articlepage"),
    ("wagtailadmin_pages:move_confirm", "destination_id", lambda w: w.section.pk),
    ("wagtailadmin_pages:*workflow*", "action_name", lambda w: "approve"),
    ("wagtailadmin_workflows:add_task", "app_label", lambda w: "wagtailcore"),
    ("wagtailadmin_workflows:add_task", "model_name", lambda w: "groupapprovaltask"),
    ("wagtailadmin_workflows:*", "pk", lambda w: w.workflow.pk),
    ("wagtailadmin_workflows:*task*", "pk", lambda w: w.task.pk),
    ("wagtailadmin_workflows:*", "workflow_pk", lambda w: w.workflow.pk),
    ("wagtailadmin_collections:*", "pk", lambda w: w.collection.pk),
    ("wagtail_bulk_action", "app_label", lambda w: "wagtailcore"),
    ("wagtail_bulk_action", "model_name", lambda w: "page"),
    ("wagtail_bulk_action", "action", lambda w: "publish"),
    ("wagtailadmin_tag_model_autocomplete", "app_name", lambda w: "kb"),
    ("wagtailadmin_tag_model_autocomplete", "model_name", lambda w: "resourcepagetag"),
    ("wagtailsettings:*", "app_name", lambda w: "resourcecenter"),
    ("wagtailsettings:*", "model_name", lambda w: "supportsettings"),
    ("wagtailsettings:*", "pk", lambda w: _support_settings_pk()),
    ("wagtailadmin_editing_sessions:ping", "app_label", lambda w: "wagtailcore"),
    ("wagtailadmin_editing_sessions:ping", "model_name", lambda w: "page"),
    ("wagtailadmin_editing_sessions:ping", "object_id", lambda w: w.article.pk),
    ("wagtailusers_users:*", "pk", lambda w: w.users[MEMBER].pk),
    ("wagtailusers_groups:*", "pk", lambda w: Group.objects.get(name=roles.EDITORS_GROUP).pk),
    ("wagtailsites:*", "pk", lambda w: w.site.pk),
    ("wagtailredirects:*", "redirect_id", lambda w: w.redirect.pk),
    ("wagtailforms:*", "page_id", lambda w: w.article.pk),
    ("forum:category*", "slug", lambda w: w.category.slug),
    ("forum:watch_category", "slug", lambda w: w.category.slug),
    ("forum:tag*", "slug", lambda w: w.tag.slug),
    ("forum:thread", "slug", lambda w: w.thread.slug),
    ("forum:thread*", "pk", lambda w: w.thread.pk),
    ("forum:reply", "pk", lambda w: w.thread.pk),
    ("forum:accept", "pk", lambda w: w.thread.pk),
    ("forum:watch_thread", "pk", lambda w: w.thread.pk),
    ("forum:mod_post", "pk", lambda w: w.post.pk),
    ("forum:mod_post", "action", lambda w: "hide"),
    ("forum:mod_thread", "action", lambda w: "lock"),
    ("forum:mod_*", "pk", lambda w: w.thread.pk),
    ("forum:notification_open", "pk", lambda w: w.notification.pk),
    ("forum:unsubscribe", "token", lambda w: w.unsubscribe),
    ("forum:*", "pk", lambda w: w.post.pk),
    ("forum_queue:*", "pk", lambda w: w.post.pk),
    ("forum_members:*", "pk", lambda w: w.users[MEMBER].forum_member.pk),
    ("tiers:org_member", "pk", lambda w: w.users[ORG_MEMBER].memberships.get().pk),
    ("tiers:org_subscribe", "code", lambda w: "infinity"),
    ("tiers:invitation", "token", lambda w: w.invitation_token),
    ("tiers:quote_decide", "pk", lambda w: w.quote.pk),
    ("tiers:attachment", "pk", lambda w: w.attachment.pk),
    ("tiers:problem_detail", "pk", lambda w: w.problem.pk),
    ("tiers:problem_postmortem", "pk", lambda w: w.problem.pk),
    ("tiers:trace_*", "pk", lambda w: w.trace.pk),
    ("status:incident", "pk", lambda w: w.problem.pk),
    ("tiers:thread_*", "pk", lambda w: w.thread.pk),
    ("tiers:*", "slug", lambda w: w.org.slug),
    ("kb:section_feed", "section_id", lambda w: w.section.pk),
    ("kb:feedback", "page_id", lambda w: w.article.pk),
    ("kb_mark_reviewed", "page_id", lambda w: w.article.pk),
    ("wagtailimages*", "filter_spec", lambda w: "fill-100x100"),
    ("wagtaildocs_authenticate_with_password", "restriction_id", lambda w: 999999),
    (
        "wagtailcore_authenticate_with_password",
        "page_view_restriction_id",
        lambda w: w.restriction.pk,
    ),
    ("wagtailcore_authenticate_with_password", "page_id", lambda w: w.restriction.page_id),
]
BY_PARAM = {
    "page_id": lambda w: w.article.pk,
    "parent_page_id": lambda w: w.section.pk,
    "page_to_move_id": lambda w: w.article.pk,
    "page_pk": lambda w: w.article.pk,
    "image_id": lambda w: w.image.pk,
    "document_id": lambda w: w.document.pk,
    "doc_id": lambda w: w.document.pk,
    "case_number": lambda w: w.ticket.case_number,
    "collection_id": lambda w: w.collection.pk,
    "task_id": lambda w: w.task.pk,
}
# Parameters for things that exist only in the middle of a Wagtail flow (an upload being
# processed, a workflow task under review, an editing session): a made-up id, so the view answers
# "not found" to everyone; these URLs are still requested, and must not fail.
TRANSIENT = {"uploaded_file_id", "task_state_id", "workflow_state_id", "session_id", "key",
             "uidb36", "uidb64", "token", "url", "restriction_id"}  # fmt: skip
# Regex routes, spelled out.
LITERAL = {
    "wagtailadmin_pages:revisions_compare": lambda w: (
        f"/admin/pages/{w.article.pk}/revisions/compare/earliest...latest/"
    ),
    "wagtaildocs_serve": lambda w: f"/documents/{w.document.pk}/{w.document.filename}",
    "route:admin/^.*/$": lambda w: "/admin/no-such-screen/",
    "wagtail_serve": lambda w: w.article.url,
    "admin:app_list": lambda w: "/django-admin/auth/",
    "admin:route:django-admin/(?P<url>.*)$": lambda w: "/django-admin/no-such-screen/",
    "account_confirm_email": lambda w: "/accounts/confirm-email/not-a-key/",
    "account_reset_password_from_key": lambda w: "/accounts/password/reset/key/1-not-a-key/",
}


def fill(w, name: str, route: str, models: dict) -> tuple[str, bool]:
    """The URL to request for this route, and whether a parameter is transient (made up)."""
    for literal_name, build in LITERAL.items():
        if name == literal_name or name.endswith(":" + literal_name):
            return build(w), False
    transient = False
    namespace = name.rsplit(":", 1)[0] if ":" in name else ""

    def value(match):
        nonlocal transient
        param = match.group("name")
        for pattern, key, build in BY_NAME:
            if key == param and fnmatch.fnmatchcase(name, pattern):
                try:
                    return str(build(w))
                except AttributeError as exc:
                    raise LookupError(f"the object for <{param}> in {name} is missing") from exc
        if name == "admin:view_on_site" and param == "content_type_id":
            return str(ContentType.objects.get_for_model(w.ticket).pk)  # has get_absolute_url
        if name == "admin:view_on_site" and param == "object_id":
            return str(w.ticket.pk)
        if name.startswith("admin:") and param == "object_id":
            app_label, model_name = route.split("/")[1:3]
            instance = apps.get_model(app_label, model_name)._default_manager.first()
            if instance is None:  # tasks, authenticators: none exist in this test
                transient = True
                return "999999"
            return str(instance.pk)
        if param in ("pk", "object_id") and namespace in models:
            instance = models[namespace]._default_manager.order_by("pk").first()
            if instance is None:
                raise LookupError(f"no {models[namespace].__name__} to fill {name}")
            return str(instance.pk)
        if param in BY_PARAM:
            return str(BY_PARAM[param](w))
        if param in TRANSIENT:
            transient = True
            return "999999" if match.group("conv") == "int" else "not-real"
        raise LookupError(f"no value for <{param}> in {name} ({route})")

    path = PARAM.sub(value, route)
    path = path.replace("^", "").replace("$", "")
    if "(" in path or "\\" in path:
        raise LookupError(f"regex route {name} ({route}) needs a LITERAL entry")
    return "/" + path, transient


LOGIN_PATHS = ("/accounts/login/", "/admin/login/", "/_util/login/", "/django-admin/login/")


def outcome(response) -> str:
    """ "allowed", "refused", "invalid" or "error".

    "invalid": the view turned the empty request down as input (400, or a redirect back with
    an error message) before reaching its permission check - neither a page nor a refusal, so
    it counts as either.
    """
    status = response.status_code
    if status >= 500:
        return "error"
    if status in (401, 403, 404):
        return "refused"
    if status == 400:
        return "invalid"
    if status in (301, 302, 303, 307):
        location = response.headers.get("Location", "")
        path = location.split("?", 1)[0].replace("http://testserver", "")
        if path.startswith(LOGIN_PATHS):
            return "refused"
        notes = getattr(response, "_messages_seen", [])
        if any("permission" in str(m).lower() for m in notes):
            return "refused"
        if any(m.level_tag == "error" for m in notes):
            return "invalid"
        return "allowed"
    if status in (200, 201, 204, 405):
        return "allowed"
    return "error"


def request(client, url: str):
    """GET (POST for POST-only views), rolled back: a delete by one request leaves the next
    request's objects in place."""
    from django.contrib.messages import get_messages

    with transaction.atomic():
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url, {})
        if response.status_code in (301, 302, 303) and response.wsgi_request is not None:
            response._messages_seen = list(get_messages(response.wsgi_request))
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(world, role):
    from django.core.cache import cache

    models = viewset_models()
    client = Client(raise_request_exception=False)
    if role != ANON:
        client.force_login(world.users[role])
    results = []
    for name, route, _pattern in all_urls():
        try:
            url, transient = fill(world, name, route, models)
        except LookupError as exc:
            results.append((name, route, "unfillable", str(exc)))
            continue
        cache.clear()  # rate limits must not turn a later request into a refusal
        if role != ANON and "_auth_user_id" not in client.session:
            client.force_login(world.users[role])  # a logout URL came before
        response = request(client, url)
        results.append((name, url, outcome(response), response.status_code, transient))
    if DUMP:
        import json

        with open(f"{DUMP}/{role}.json", "w") as fh:
            json.dump(results, fh)
        return
    problems = []
    for name, url, result, *detail in results:
        area = area_of(name, url)
        if area is None:
            problems.append(f"{name} ({url}): no rule of RULES classifies this URL")
            continue
        if area == SKIP:
            continue
        if result == "unfillable":
            problems.append(f"{name}: {detail[0]}")
            continue
        transient = detail[1] or name in NOT_APPLICABLE
        if area == ANY:
            if result == "error":
                problems.append(f"{name} ({url}): HTTP {detail[0]}")
            continue
        expected = "allowed" if role in AREAS[area] else "refused"
        if result == "error":
            problems.append(f"{name} ({url}): HTTP {detail[0]}")
        elif result == "invalid" or (transient and result == "refused"):
            continue
        elif result != expected:
            problems.append(
                f"{name} ({url}) [{area}]: {result} (HTTP {detail[0]}), expected {expected}"
            )
    assert not problems, f"{role}:\n" + "\n".join(problems)


def area_of(name: str, url: str = "") -> str | None:
    """The area of the first rule matching the URL's name (or, for a rule starting with "/",
    its address)."""
    for pattern, area in RULES:
        subject = url if pattern.startswith("/") else name
        if fnmatch.fnmatchcase(subject, pattern):
            return area
    return None


def _support_settings_pk() -> int:
    """The generic settings row's id (not always 1: on PostgreSQL sequences are not reset)."""
    from resourcecenter.models import SupportSettings

    return SupportSettings.load().pk
