"""Macros (canned replies): managed in the admin by analysts, placeholders checked when saved,
rendered safely, actions applied with the reply."""

import pytest

from kb.models import ArticlePage, ResourceIndexPage
from tiers.models import Macro, Ticket, TicketMessage
from tiers.tickets import macros


@pytest.fixture
def article(home_page):
    section = home_page.add_child(instance=ResourceIndexPage(title="Guides", slug="guides"))
    page = section.add_child(instance=ArticlePage(title="Reset the APN", slug="reset-apn"))
    page.save_revision().publish()
    return page


@pytest.fixture
def ticket(org_a, org_a_member, open_ticket):
    return open_ticket(org_a, org_a_member, subject="No data")


def test_placeholder_errors_in_words(article):
    assert macros.placeholder_errors("Hi {customer_name}, case {case_number}", has_page=False) == []
    assert macros.placeholder_errors("See {page:reset-apn}", has_page=False) == []
    assert (
        "Unknown placeholder {customer_nam}"
        in macros.placeholder_errors("Hi {customer_nam}", has_page=False)[0]
    )
    assert "Unknown placeholder {customer_name}" in macros.placeholder_errors(
        "{customer_name.__class__}", has_page=False
    )[0].replace(".__class__", "")
    assert "literal brace" in macros.placeholder_errors("Hi {customer_name", has_page=False)[0]
    assert "needs a page chosen" in macros.placeholder_errors("{page_link}", has_page=False)[0]
    assert "no-such-page" in macros.placeholder_errors("{page:no-such-page}", has_page=False)[0]
    assert macros.placeholder_errors("{{not a placeholder}}", has_page=False) == []


def test_render_substitutes_once(ticket, staff_user, article, org_a_member):
    org_a_member.display_name = "{case_number} <b>Eve</b>"
    org_a_member.save()
    ticket.refresh_from_db()
    macro = Macro(name="Hello", body="Hi {customer_name}, see {page:reset-apn} {{ok}}")
    text = macros.render(macro, ticket, staff_user)
    assert text.startswith("Hi {case_number} <b>Eve</b>, see http")
    assert text.endswith("/guides/reset-apn/ {ok}")


def test_analyst_manages_macros_in_the_admin(client, staff_user, article):
    from tiers.apps import grant_support_staff

    grant_support_staff(sender=None)
    client.force_login(staff_user)
    assert client.get("/admin/tiers/macro/").status_code == 200
    data = {"name": "Ask for logs", "body": "Hi {customer_nam}", "set_status": "", "active": "on"}
    response = client.post("/admin/tiers/macro/new/", data)
    assert response.status_code == 200
    assert "Unknown placeholder {customer_nam}" in response.content.decode()
    assert not Macro.objects.exists()
    data["body"] = "Hi {customer_name}, please send the modem log for {case_number}."
    data.update(set_status="waiting", set_severity="3")
    response = client.post("/admin/tiers/macro/new/", data)
    assert response.status_code == 302
    macro = Macro.objects.get()
    assert (macro.set_status, macro.set_severity) == ("waiting", 3)


def test_editor_cannot_manage_macros(client, user_factory):
    from django.contrib.auth.models import Group

    from resourcecenter.roles import EDITORS_GROUP

    editor = user_factory(email="ed@example.com")
    editor.groups.add(Group.objects.get_or_create(name=EDITORS_GROUP)[0])
    client.force_login(editor)
    assert client.get("/admin/tiers/macro/").status_code in (302, 403)


def test_macro_reply_applies_its_actions(client, staff_user, ticket, org_a_member):
    macro = Macro.objects.create(
        name="Need logs",
        body="Hi {customer_name}, please send the logs for {case_number}.",
        set_status=Ticket.WAITING,
        set_severity=3,
    )
    client.force_login(staff_user)
    html = client.get(f"/support/tickets/{ticket.case_number}/").content.decode()
    assert 'id="macro-texts"' in html and "Need logs" in html
    response = client.post(
        f"/support/tickets/{ticket.case_number}/compose/",
        {"mode": "reply", "body": "", "macro": macro.pk},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    message = TicketMessage.objects.get(ticket=ticket)
    expected = f"Hi {org_a_member.public_name}, please send the logs for {ticket.case_number}."
    assert message.body == expected and not message.is_internal
    assert (ticket.status, ticket.severity) == (Ticket.WAITING, 3)


def test_macro_whose_action_fails_sends_nothing(client, staff_user, ticket):
    macro = Macro.objects.create(name="Bad", body="Hello", set_severity=9)
    client.force_login(staff_user)
    response = client.post(
        f"/support/tickets/{ticket.case_number}/compose/",
        {"mode": "reply", "body": "Typed by hand", "macro": macro.pk},
    )
    assert response.status_code == 400
    assert "Typed by hand" in response.content.decode()
    assert not TicketMessage.objects.filter(ticket=ticket).exists()


def test_macro_text_is_escaped_on_the_page(client, staff_user, ticket, org_a_member):
    org_a_member.display_name = "<script>alert(1)</script>"
    org_a_member.save()
    Macro.objects.create(name="Greet", body="Hi {customer_name}")
    client.force_login(staff_user)
    html = client.get(f"/support/tickets/{ticket.case_number}/").content.decode()
    assert "<script>alert(1)</script>" not in html
