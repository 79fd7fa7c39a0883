"""Issue 14: "Escalate to a private ticket" asks for the severity estimate (with the plan's
definitions), devices affected and the time of the incident first, pre-filled from the thread,
keeps what was typed on an error, and the ticket's links use the site's real address."""

import datetime as dt
import re

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from tests.forum.factories import CategoryFactory, make_reply, make_thread, set_trust
from tiers.models import Ticket
from tiers.plans.models import SeverityLevel


@pytest.fixture
def thread(org_a_admin, org_a, user_factory):
    set_trust(org_a_admin)
    category = CategoryFactory(name="APN and data", slug="apn-data")
    thread = make_thread(
        org_a_admin,
        category,
        title="Trackers drop PDP context every hour",
        body="About 1,200 trackers in Texas lose data every hour. "
        "See [the APN guide](/guides/apn/).",
    )
    helper = user_factory(email="helper@example.com", display_name="Helpful Hana")
    set_trust(helper)
    make_reply(helper, thread, body='Check <a href="/community/t/1/x/">this thread</a>.')
    return thread


def _url(thread):
    return f"/support/threads/{thread.pk}/escalate/"


def test_the_form_asks_first_with_definitions_and_prefills_from_the_thread(
    client, thread, org_a_admin, django_assert_max_num_queries
):
    client.force_login(org_a_admin)
    with django_assert_max_num_queries(30):
        response = client.get(_url(thread))
    assert response.status_code == 200
    page = response.content.decode()
    for level in SeverityLevel.objects.filter(scheme__plans__code="infinity").distinct():
        assert level.name in page and level.definition in page
    radios = re.findall(r'<input type="radio" name="customer_severity"[^>]*>', page)
    assert radios and not any("checked" in radio for radio in radios)  # no default severity
    assert 'value="1200"' in page  # devices the question mentions
    asked = thread.created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M")
    assert f'value="{asked}"' in page  # when the question was asked
    assert 'value="Trackers drop PDP context every hour"' in page
    assert not Ticket.objects.exists()


def test_no_ticket_without_a_severity_estimate_and_nothing_typed_is_lost(
    client, thread, org_a, org_a_admin
):
    client.force_login(org_a_admin)
    response = client.post(
        _url(thread),
        {
            "organisation": org_a.pk,
            "subject": "Texas fleet offline",
            "category": "troubleshooting",
            "devices_affected": "1200",
            "conditions": "Started after the 14:00 firmware push.",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page
    assert 'value="Texas fleet offline"' in page
    assert "Started after the 14:00 firmware push." in page
    assert not Ticket.objects.exists()


def test_a_rejected_attachment_keeps_the_escalation_form(client, thread, org_a, org_a_admin):
    client.force_login(org_a_admin)
    response = client.post(
        _url(thread),
        {
            "organisation": org_a.pk,
            "subject": "Texas fleet offline",
            "category": "troubleshooting",
            "customer_severity": "2",
            "conditions": "Started after the 14:00 firmware push.",
            "attachments": [SimpleUploadedFile("trace.exe", b"MZ")],
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "trace.exe: this file type is not accepted" in page
    assert "attach the files again" in page
    assert "Started after the 14:00 firmware push." in page
    assert not Ticket.objects.exists()


def test_the_ticket_carries_the_answers_and_absolute_links(
    client, thread, org_a, org_a_admin, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAILADMIN_BASE_URL = "https://support.example.net"
    client.force_login(org_a_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url(thread),
            {
                "organisation": org_a.pk,
                "subject": "Texas fleet offline",
                "category": "troubleshooting",
                "customer_severity": "2",
                "devices_affected": "1200",
                "incident_at": "2026-11-30T14:05",
                "conditions": "After the firmware push.",
                "attachments": [SimpleUploadedFile("modem.log", b"NO CARRIER\n")],
            },
        )
    ticket = Ticket.objects.get(thread=thread)
    assert response["Location"] == ticket.get_absolute_url()
    assert ticket.customer_severity == 2 and ticket.devices_affected == 1200
    assert ticket.incident_at == dt.datetime(2026, 11, 30, 14, 5, tzinfo=dt.UTC)
    assert ticket.conditions == "After the firmware push."
    assert ticket.subject == "Texas fleet offline"
    assert ticket.attachments.get().filename == "modem.log"
    assert "[the APN guide](https://support.example.net/guides/apn/)" in ticket.description
    assert 'href="https://support.example.net/community/t/1/x/"' in ticket.description
    assert f"https://support.example.net{thread.get_absolute_url()}" in ticket.description
    assert "](/" not in ticket.description and 'href="/' not in ticket.description
