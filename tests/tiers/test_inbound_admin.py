"""The analysts' screen for inbound e-mail: held messages are released or discarded there."""

from email.message import EmailMessage

from django.urls import reverse

import pytest

from tiers.models import InboundMessage, Ticket
from tiers.tickets import inbound


def raw_message(sender, subject, body):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@example.com"
    message["Subject"] = subject
    message.set_content(body)
    return message.as_bytes()


@pytest.fixture
def staff_user(user_factory):
    """An analyst as the admin sees one: the group with its granted permissions."""
    from django.contrib.auth.models import Group

    from resourcecenter.roles import ANALYSTS_GROUP
    from tiers.apps import grant_support_staff

    grant_support_staff(sender=None)
    analyst = user_factory(email="staff@example.com", is_staff=True)
    analyst.groups.add(Group.objects.get(name=ANALYSTS_GROUP))
    return analyst


@pytest.fixture
def held_reply(org_a, org_a_admin, open_ticket):
    ticket = open_ticket(org_a, org_a_admin)
    inbound.handle(raw_message(org_a_admin.email, f"Re: [{ticket.case_number}] x", "<b>Ok</b>"))
    return InboundMessage.objects.get(status=InboundMessage.HELD)


def test_analyst_sees_held_message_escaped(client, staff_user, held_reply):
    client.force_login(staff_user)
    index = client.get(reverse("tiers_inboundmessage:index"))
    assert index.status_code == 200 and held_reply.sender in index.content.decode()
    page = client.get(reverse("tiers_inboundmessage:inspect", args=[held_reply.pk]))
    html = page.content.decode()
    assert "&lt;b&gt;Ok&lt;/b&gt;" in html and "<b>Ok</b>" not in html
    assert reverse("tiers_inboundmessage:release", args=[held_reply.pk]) in html


def test_release_posts_the_customer_reply(client, staff_user, held_reply):
    client.force_login(staff_user)
    response = client.post(reverse("tiers_inboundmessage:release", args=[held_reply.pk]))
    assert response.status_code == 302
    held_reply.refresh_from_db()
    assert held_reply.status == InboundMessage.RELEASED and held_reply.decided_by == staff_user
    message = held_reply.ticket.messages.get()
    assert message.author.email == held_reply.sender and not message.from_staff


def test_release_of_held_new_ticket_opens_it(client, staff_user, org_a, org_a_admin):
    inbound.handle(raw_message(org_a_admin.email, "Help", "Please"))
    stored = InboundMessage.objects.get()
    client.force_login(staff_user)
    client.post(reverse("tiers_inboundmessage:release", args=[stored.pk]))
    assert Ticket.objects.get().requester == org_a_admin


def test_forged_staff_reply_cannot_be_released(client, staff_user, org_a, org_a_admin, open_ticket):
    ticket = open_ticket(org_a, org_a_admin)
    inbound.handle(raw_message(staff_user.email, f"Re: [{ticket.case_number}] x", "API key?"))
    stored = InboundMessage.objects.get()
    client.force_login(staff_user)
    client.post(reverse("tiers_inboundmessage:release", args=[stored.pk]))
    stored.refresh_from_db()
    assert stored.status == InboundMessage.HELD
    assert not ticket.messages.exists()


def test_discard(client, staff_user, held_reply):
    client.force_login(staff_user)
    client.post(reverse("tiers_inboundmessage:discard", args=[held_reply.pk]))
    held_reply.refresh_from_db()
    assert held_reply.status == InboundMessage.DISCARDED
    assert not held_reply.ticket.messages.exists()


def test_customers_cannot_release(client, org_a_admin, held_reply):
    client.force_login(org_a_admin)
    response = client.post(reverse("tiers_inboundmessage:release", args=[held_reply.pk]))
    assert response.status_code in (302, 403)
    held_reply.refresh_from_db()
    assert held_reply.status == InboundMessage.HELD
    assert client.get(reverse("tiers_inboundmessage:index")).status_code in (302, 403)
