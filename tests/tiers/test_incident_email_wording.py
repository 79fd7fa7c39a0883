"""The incidents' e-mails take their words from templates: each kind of update (opened,
update, resolved) and each maintenance event opens with its own sentence, and the subjects
follow the same kinds. Sent through the real services and rendered from the real templates."""

import datetime as dt
from functools import partial

from django.utils import timezone

import pytest

from tiers.incidents import linking, notify, services
from tiers.incidents.models import Component, ServiceProblem


@pytest.fixture
def declare(declare):
    """The shared factory, with the title the subjects below are asserted with."""
    return partial(declare, title="Data sessions failing")


def first_line(message) -> str:
    return message.body.splitlines()[0]


def test_the_proactive_notice_opens_with_the_sentence_of_its_kind(
    declare, post_update, org_a, org_a_admin, mailoutbox
):
    problem = declare()
    post_update(problem, "Rerouted.", status=ServiceProblem.MONITORING)
    post_update(problem, "All clear.", status=ServiceProblem.RESOLVED)
    mine = [m for m in mailoutbox if m.to == [org_a_admin.email]]
    assert [(m.subject, first_line(m)) for m in mine] == [
        (
            "[Severity 2] Service problem: Data sessions failing",
            "We are aware of a problem affecting our service and are working on it.",
        ),
        (
            "Update (Monitoring - fix applied): Data sessions failing",
            "An update on the service problem we told you about.",
        ),
        (
            "Resolved: Data sessions failing",
            "The service problem we told you about is resolved.",
        ),
    ]


def test_the_update_to_an_attached_case_opens_with_the_sentence_of_its_kind(
    declare, post_update, open_ticket, org_a, org_a_member, mailoutbox
):
    problem = declare()
    ticket = open_ticket(org_a, org_a_member, subject="No data on my units")
    linking.link_ticket(ticket=ticket, incident=problem, by=org_a_member)
    mailoutbox.clear()
    post_update(problem, "Rerouted.")
    post_update(problem, "All clear.", status=ServiceProblem.RESOLVED)
    mine = [m for m in mailoutbox if m.to == [org_a_member.email]]
    assert [first_line(m) for m in mine] == [
        "An update on the incident your case is attached to.",
        "The incident your case is attached to is resolved.",
    ]
    assert mine[1].subject == f"[{ticket.case_number}] Resolved: Data sessions failing"


def test_status_notices_open_with_the_sentence_of_their_kind(declare, post_update, staff_user):
    sms = Component.objects.create(slug="sms", name="SMS")
    problem = declare(severity=3, components={sms: Component.MAJOR})
    opened = problem.updates.get()
    resolved = post_update(problem, "All clear.", status=ServiceProblem.RESOLVED)
    assert notify.update_message(opened)[1].splitlines()[0] == (
        "A new incident is on our status page."
    )
    assert notify.update_message(resolved)[1].splitlines()[0] == "This incident is resolved."
    start = timezone.now() + dt.timedelta(days=2)
    window = services.schedule_maintenance(
        by=staff_user,
        title="SMS gateway upgrade",
        description="Short interruptions.",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        components=[sms],
    )
    texts = {
        event: notify.maintenance_message(window, event)
        for event in ("maintenance.scheduled", "maintenance.rescheduled", "maintenance.cancelled")
    }
    assert {event: text.splitlines()[0] for event, (_s, text, _c) in texts.items()} == {
        "maintenance.scheduled": "Maintenance is scheduled on the components below.",
        "maintenance.rescheduled": "This scheduled maintenance has moved; the new times are below.",
        "maintenance.cancelled": "This scheduled maintenance is cancelled: it will not take place.",
    }
    assert texts["maintenance.cancelled"][0] == "[Cancelled maintenance] SMS gateway upgrade"
