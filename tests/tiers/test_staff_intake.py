"""Staff open a ticket on a customer's behalf from the Wagtail ticket queue (phone / e-mail
intake): the same service, case numbers, SLA clock, allowances, acknowledgement and timeline as
a customer's own ticket, recording the analyst and the channel."""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from resourcecenter.roles import ANALYSTS_GROUP, EDITORS_GROUP
from tiers import services
from tiers.apps import grant_support_staff
from tiers.models import Ticket
from tiers.selectors import allowance_usage

URL = "/admin/tiers/ticket/new/"


@pytest.fixture
def analyst(user_factory):
    grant_support_staff(sender=None)
    user = user_factory(email="analyst@example.com", display_name="Dana Analyst", is_staff=True)
    user.groups.add(Group.objects.get(name=ANALYSTS_GROUP))
    return user


@pytest.fixture
def editor(user_factory):
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    user = user_factory(email="editor@example.com", display_name="Eddie Editor")
    user.groups.add(group)
    return user


def form_data(organisation, requester, **overrides):
    data = {
        "organisation": organisation.pk,
        "requester": requester.pk,
        "channel": "phone",
        "subject": "Trackers in Dallas offline",
        "category": "troubleshooting",
        "description": "Caller reports 120 trackers without data since 09:00.",
        "devices_affected": "120",
        "incident_at": "2026-03-02T09:00",
        "conditions": "After the APN change this morning",
        "customer_severity": "2",
        "internal_note": "",
    }
    data.update(overrides)
    return data


def test_role_walk(client, org_a, org_a_admin, org_a_member, editor, analyst, superuser):
    """Only support staff reach the intake form or open tickets through it."""
    get_url = f"{URL}?organisation={org_a.pk}"
    post = form_data(org_a, org_a_member)
    # Anonymous: sent to log in.
    response = client.get(get_url)
    assert response.status_code == 302 and "login" in response["Location"]
    assert client.post(URL, post).status_code == 302
    # Customers (member, org admin) and an editor with admin access: refused.
    for user in (org_a_member, org_a_admin, editor):
        client.force_login(user)
        get = client.get(get_url)
        assert get.status_code in (302, 403), user
        assert b"Open ticket" not in get.content
        assert client.post(URL, post).status_code in (302, 403), user
        client.logout()
    assert not Ticket.objects.exists()
    # Support staff and superusers: the form, and a ticket.
    for user in (analyst, superuser):
        client.force_login(user)
        response = client.get(get_url)
        assert response.status_code == 200, user
        assert b"Trackers" not in response.content
        assert org_a_member.email.encode() in response.content
    client.force_login(analyst)
    assert client.post(URL, post).status_code == 302
    assert Ticket.objects.get().opened_by == analyst


def test_queue_offers_intake_and_step_one_lists_organisations(
    client, analyst, org_a, community_org
):
    client.force_login(analyst)
    queue = client.get("/admin/tiers/ticket/").content.decode()
    assert "Open a ticket for a customer" in queue
    assert URL in queue
    step_one = client.get(URL).content.decode()
    assert f'<option value="{org_a.pk}">Org A (Infinity)</option>' in step_one
    assert "Free Co (Community - no tickets)" in step_one


def test_staff_ticket_behaves_like_a_customer_ticket(
    client,
    analyst,
    org_a,
    org_a_admin,
    org_a_member,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    client.force_login(analyst)
    before = allowance_usage(org_a, org_a.subscriptions.get().plan).troubleshooting_cases.used
    data = form_data(
        org_a,
        org_a_member,
        internal_note="Caller sounded unsure about the APN; check the CDRs.",
        attachments=[SimpleUploadedFile("dallas.log", b"no carrier\n")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, data)
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()
    assert ticket.case_number.startswith("INF-")
    assert ticket.requester == org_a_member and ticket.opened_by == analyst
    assert ticket.channel == "phone" and ticket.severity == 2 and ticket.customer_severity == 2
    assert ticket.devices_affected == 120 and ticket.conditions.startswith("After the APN")
    assert ticket.response_due_at is not None and ticket.acknowledged_at is not None
    assert ticket.timers.filter(kind="breach").exists()
    assert ticket.timers.filter(kind="escalate").exists()  # severity 2: Director at once
    attachment = ticket.attachments.get()
    assert attachment.filename == "dallas.log" and attachment.uploaded_by == analyst
    after = allowance_usage(org_a, ticket.plan).troubleshooting_cases.used
    assert after == before + 1
    created = ticket.events.get(kind="created")
    assert created.actor == analyst and created.public
    assert "Dana Analyst (support)" in created.summary and "Phone" in created.summary
    assert created.data["channel"] == "phone" and created.data["opened_by"] == analyst.pk
    assert ticket.events.filter(kind="acknowledged").exists()
    note = ticket.messages.get()
    assert note.is_internal and note.author == analyst
    ack = next(m for m in mailoutbox if m.subject.startswith(f"[{ticket.case_number}] Received"))
    assert org_a_member.email in ack.to
    assert ticket.case_number in ack.body
    assert "Dana Analyst of our support team opened it for you after your phone call" in ack.body
    for message in mailoutbox:
        if org_a_member.email in message.to or org_a_admin.email in message.to:
            assert "CDRs" not in message.body
    # The customer sees the case and who opened it; never the internal note.
    client.force_login(org_a_member)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert ticket.case_number in page
    assert "for Ari (A member), opened by Dana Analyst (support) via phone" in page
    assert "CDRs" not in page


def test_community_organisation_is_refused_clearly(
    client, analyst, community_org, django_capture_on_commit_callbacks
):
    requester = community_org.memberships.get().user
    client.force_login(analyst)
    page = client.get(f"{URL}?organisation={community_org.pk}").content.decode()
    assert "Free Co is on Community, which does not include tickets." in page
    assert 'name="subject"' not in page
    response = client.post(URL, form_data(community_org, requester, channel="email"))
    assert response.status_code == 200
    assert not Ticket.objects.exists()
    with pytest.raises(services.TierError, match="Community, which does not include tickets"):
        services.open_ticket(
            organisation=community_org,
            requester=requester,
            subject="S",
            description="D",
            channel="email",
            opened_by=analyst,
        )


def test_validation_errors_keep_everything_typed(client, analyst, org_a, org_a_member, org_b_admin):
    client.force_login(analyst)
    # Missing subject and description: field errors, the rest kept.
    response = client.post(URL, form_data(org_a, org_a_member, subject="", description=""))
    html = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in html
    assert "After the APN change this morning" in html
    assert 'value="120"' in html
    # A requester from another organisation is not a valid choice.
    response = client.post(URL, form_data(org_a, org_b_admin))
    html = response.content.decode()
    assert response.status_code == 200 and "Select a valid choice" in html
    assert "Trackers in Dallas offline" in html
    # The phone line covers severity 1-2 only: a clear message, nothing lost (chosen files
    # cannot be kept by a browser: the form says to attach them again).
    response = client.post(
        URL,
        form_data(
            org_a,
            org_a_member,
            customer_severity="3",
            attachments=[SimpleUploadedFile("call.log", b"notes\n")],
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "phone line covers severity 1 and 2 only" in html
    assert "attach them again" in html
    assert "Trackers in Dallas offline" in html and "Caller reports 120 trackers" in html
    # A severity the organisation's plan does not have.
    response = client.post(URL, form_data(org_a, org_a_member, customer_severity="7"))
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Ticket.objects.exists()
    # The same request by e-mail is fine at severity 3.
    response = client.post(
        URL, form_data(org_a, org_a_member, channel="email", customer_severity="3")
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.channel == "email" and ticket.severity == 3


def test_service_requires_staff_for_on_behalf(org_a, org_a_admin, org_a_member):
    with pytest.raises(PermissionDenied):
        services.open_ticket(
            organisation=org_a,
            requester=org_a_member,
            subject="S",
            description="D",
            opened_by=org_a_admin,
        )
    # Opening your own ticket is not "on behalf": nothing extra is recorded.
    ticket = services.open_ticket(
        organisation=org_a, requester=org_a_member, subject="S", description="D"
    )
    assert ticket.opened_by is None
    assert ticket.events.get(kind="created").actor == org_a_member


def test_requester_must_belong_to_the_organisation(analyst, org_a, org_b_admin):
    with pytest.raises(services.TierError, match="is not a member of Org A"):
        services.open_ticket(
            organisation=org_a,
            requester=org_b_admin,
            subject="S",
            description="D",
            channel="email",
            opened_by=analyst,
        )


def test_queue_filters_by_channel(client, analyst, org_a, org_a_admin, org_a_member, open_ticket):
    web = open_ticket(org_a, org_a_admin, subject="From the web form")
    phone = services.open_ticket(
        organisation=org_a,
        requester=org_a_member,
        subject="From a call",
        description="Called in.",
        customer_severity=1,
        channel="phone",
        opened_by=analyst,
    )
    client.force_login(analyst)
    html = client.get("/admin/tiers/ticket/", {"channel": "phone"}).content.decode()
    assert phone.case_number in html and web.case_number not in html
