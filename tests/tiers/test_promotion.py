"""Thread -> ticket: escalation by the author, promotion by staff, upgrade path, fix back."""

import re

from django.core import mail
from django.template.loader import render_to_string

import pytest

from forum.models import Post, ThreadStatus
from tests.forum.factories import CategoryFactory, TagFactory, make_reply, make_thread, set_trust
from tiers import gate, services
from tiers.models import Ticket
from tiers.services import ESCALATION_NOTE, TierError


def offer(user, thread) -> dict | None:
    """The gate's option for `user`, with the link and words its template shows."""
    option = gate.thread_escalation_option(user, thread)
    if option is None:
        return None
    html = render_to_string(option.template_name, {"option": option})
    paragraphs = re.findall(r"<p>(.*?)</p>", html, re.S)
    link = re.search(
        r'<a class="button" href="([^"]+)" data-escalation-action="(\w+)">(.*?)</a>', html
    )
    return {
        "action": option.action,
        "url": link.group(1).replace("&amp;", "&"),
        "label": link.group(3),
        "explanation": paragraphs[0],
        "link_action": link.group(2),
    }


@pytest.fixture
def category(db):
    return CategoryFactory(name="APN and data", slug="apn-data")


@pytest.fixture
def thread(category, org_a_admin, org_a, user_factory):
    set_trust(org_a_admin)
    helper = user_factory(email="helper@example.com", display_name="Helpful Hana")
    set_trust(helper)
    TagFactory(name="apn")
    thread = make_thread(
        org_a_admin,
        category,
        title="Trackers drop PDP context every hour",
        body="Our fleet in Texas loses data every hour. IMSI ranges 3102700...",
        tags="apn",
    )
    make_reply(helper, thread, body="Check the idle timeout on your APN profile.")
    return thread


@pytest.fixture
def community_thread(category, community_org):
    author = community_org.memberships.get().user
    set_trust(author)
    return make_thread(author, category, title="Free user question")


def test_author_on_infinity_sees_escalate(thread, org_a_admin):
    option = offer(org_a_admin, thread)
    assert option["action"] == "escalate"
    assert option["url"] == f"/support/threads/{thread.pk}/escalate/"


def test_community_author_sees_upgrade_path_not_dead_button(community_thread):
    option = offer(community_thread.author, community_thread)
    assert option["action"] == "upgrade"
    assert option["url"].startswith("/support/plans/")
    assert "Infinity" in option["explanation"]


def test_others_see_nothing_staff_see_promote(thread, org_a_member, staff_user, community_thread):
    assert offer(org_a_member, thread) is None
    from django.contrib.auth.models import AnonymousUser

    assert offer(AnonymousUser(), thread) is None
    option = offer(staff_user, thread)
    assert option["action"] == "promote"
    assert "ticket plan" in option["explanation"]
    option = offer(staff_user, community_thread)
    assert "Community" in option["explanation"]


def test_escalation_creates_prefilled_linked_ticket_and_public_note(
    client, thread, org_a, org_a_admin, django_capture_on_commit_callbacks
):
    client.force_login(org_a_admin)
    assert client.get(f"/support/threads/{thread.pk}/escalate/").status_code == 200
    # Issue 14: one click no longer opens a Severity 4 ticket: the estimate is asked first.
    assert client.post(f"/support/threads/{thread.pk}/escalate/").status_code == 400
    assert not Ticket.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/support/threads/{thread.pk}/escalate/",
            {
                "organisation": org_a.pk,
                "subject": thread.title,
                "category": "troubleshooting",
                "customer_severity": "3",
            },
        )
    ticket = Ticket.objects.get(thread=thread)
    assert ticket.customer_severity == 3
    assert response["Location"] == ticket.get_absolute_url()
    assert ticket.subject == thread.title
    assert "loses data every hour" in ticket.description
    assert "Check the idle timeout" in ticket.description
    assert ticket.tags == "apn"
    assert ticket.channel == "thread"
    note = Post.objects.filter(thread=thread).order_by("-number").first()
    assert note.body_markdown == ESCALATION_NOTE
    assert ticket.case_number not in note.body_markdown  # no private detail in public
    assert any(ticket.case_number in m.subject for m in mail.outbox)
    # The option now points to the ticket.
    option = offer(org_a_admin, thread)
    assert option["url"] == ticket.get_absolute_url()


def test_promoting_twice_yields_one_ticket(thread, org_a_admin, staff_user):
    first = services.promote_thread(thread=thread, by=org_a_admin)
    second = services.promote_thread(thread=thread, by=staff_user)
    assert first.created and not second.created
    assert first.ticket.pk == second.ticket.pk
    assert Ticket.objects.filter(thread=thread).count() == 1


def test_other_users_cannot_escalate(client, thread, org_a_member):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.promote_thread(thread=thread, by=org_a_member)
    client.force_login(org_a_member)
    assert client.post(f"/support/threads/{thread.pk}/escalate/").status_code == 404
    assert client.post(f"/support/threads/{thread.pk}/promote/").status_code == 404


def test_staff_promotion_of_community_thread_offers_upgrade(
    client, community_thread, staff_user, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    page = client.get(f"/support/threads/{community_thread.pk}/promote/")
    assert b"on Community" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/support/threads/{community_thread.pk}/promote/")
    assert not Ticket.objects.exists()
    offer = [m for m in mail.outbox if community_thread.author.email in m.to]
    assert offer and "/support/plans/" in offer[0].body


def test_community_author_cannot_escalate(client, community_thread):
    with pytest.raises(TierError):
        services.promote_thread(thread=community_thread, by=community_thread.author)
    client.force_login(community_thread.author)
    response = client.get(f"/support/threads/{community_thread.pk}/escalate/")
    assert response.status_code == 302 and "/support/plans/" in response["Location"]
    page = client.get(response["Location"])
    assert b"Free user question" in page.content
    assert b"Create your organisation" in page.content or b"Get Infinity" in page.content


def test_user_in_two_orgs_chooses(
    client, thread, org_a_admin, make_org, infinity, django_capture_on_commit_callbacks
):
    second = make_org(name="Second Org", region="eu", plan=infinity, admin=org_a_admin)
    client.force_login(org_a_admin)
    page = client.get(f"/support/threads/{thread.pk}/escalate/").content.decode()
    assert "Which organisation" in page
    client.post(
        f"/support/threads/{thread.pk}/escalate/",
        {
            "organisation": second.pk,
            "subject": thread.title,
            "category": "troubleshooting",
            "customer_severity": "4",
        },
    )
    assert Ticket.objects.get(thread=thread).organisation == second


def test_publish_fix_posts_to_thread_and_marks_solved(client, thread, org_a_admin, staff_user):
    ticket = services.promote_thread(thread=thread, by=org_a_admin).ticket
    services.set_status(ticket=ticket, status="resolved", by=staff_user)
    client.force_login(staff_user)
    response = client.post(
        f"/support/tickets/{ticket.case_number}/staff/",
        {
            "action": "resolution",
            "resolution_public": "Set the APN idle timeout to 3600 s.",
            "publish": "1",
        },
    )
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.SOLVED
    assert thread.accepted_answer.body_markdown == "Set the APN idle timeout to 3600 s."
    assert ticket.events.filter(kind="fix_published").exists()


def test_publish_fix_needs_text(thread, org_a_admin, staff_user):
    ticket = services.promote_thread(thread=thread, by=org_a_admin).ticket
    with pytest.raises(TierError):
        services.publish_fix_to_thread(ticket=ticket, by=staff_user)


def test_escalation_note_account_when_a_person_is_already_called_support_team(
    thread, org_a_admin, user_factory
):
    """Display names are unique ignoring case: the automatic account takes a free variant
    instead of failing the escalation."""
    user_factory(email="impostor@example.com", display_name="support TEAM")
    outcome = services.promote_thread(thread=thread, by=org_a_admin)
    assert outcome.created
    note = Post.objects.filter(thread=thread).order_by("-number").first()
    assert note.body_markdown == ESCALATION_NOTE
    assert note.author.email == "support-team@example.com"
    assert note.author.display_name == "Support team 2"
    assert not note.author.has_usable_password()
    assert services.system_user().pk == note.author.pk
