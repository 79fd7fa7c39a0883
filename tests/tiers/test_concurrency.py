"""Concurrency on PostgreSQL: each thread has its own connection and transaction."""

import threading

from django.db import connection, connections, transaction

import pytest

from tests.forum.factories import CategoryFactory, make_thread, set_trust
from tiers import services
from tiers.models import Invoice, Organisation, Ticket
from tiers.plans import billing

pytestmark = pytest.mark.postgres


def run_parallel(count, work):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def runner(i):
        try:
            barrier.wait(timeout=30)
            results.append(work(i))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def test_parallel_ticket_creation_gives_unique_gapless_numbers(
    on_postgres, transactional_db, org_a, org_a_admin, org_b, org_b_admin
):
    assert connection.vendor == "postgresql"
    count = 10

    def work(i):
        org, user = (org_a, org_a_admin) if i % 2 else (org_b, org_b_admin)
        ticket = services.open_ticket(
            organisation=org, requester=user, subject=f"Parallel {i}", description="Race"
        )
        return ticket.case_number

    numbers, errors = run_parallel(count, work)
    assert not errors, errors
    assert len(set(numbers)) == count
    sequence = sorted(int(number.rsplit("-", 1)[1]) for number in numbers)
    assert sequence == list(range(1, count + 1))
    assert Ticket.objects.count() == count


def test_parallel_promotion_of_one_thread_gives_one_ticket(
    on_postgres, transactional_db, org_a, org_a_admin, staff_user
):
    set_trust(org_a_admin)
    category = CategoryFactory(name="Race", slug="race")
    thread = make_thread(org_a_admin, category, title="Two analysts promote this at once?")

    def work(i):
        by = staff_user if i % 2 else org_a_admin
        return services.promote_thread(thread=thread, by=by).ticket.pk

    ticket_ids, errors = run_parallel(6, work)
    assert not errors, errors
    assert len(set(ticket_ids)) == 1
    assert Ticket.objects.filter(thread=thread).count() == 1
    notes = thread.posts.filter(body_markdown=services.ESCALATION_NOTE).count()
    assert notes == 1


def test_parallel_sweeps_send_each_problem_email_once(
    on_postgres,
    transactional_db,
    settings,
    org_a,
    org_a_admin,
    org_b,
    org_b_admin,
    staff_user,
    user_factory,
):
    """Several workers sweep the same pending problem notifications at once: every contact's
    e-mail is queued exactly once (the conditional UPDATE claims each row once)."""
    from django_tasks.signals import task_enqueued

    from tiers.incidents import notify, problems
    from tiers.models import Membership, ProblemNotification

    from .conftest import add_member

    for n in range(8):
        add_member(org_a, user_factory(email=f"a-admin-{n}@example.com"), Membership.ROLE_ADMIN)
    # A backend that only records what is enqueued: nothing is sent until the sweeps run.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    services.record_problem(by=staff_user, title="Outage", description="Down.", severity=1)
    assert ProblemNotification.objects.filter(status="pending").count() == 10

    queued, lock = [], threading.Lock()

    def collect(sender, task_result, **kwargs):
        if task_result.task.name == notify.send_notice_task.name:
            with lock:
                queued.extend(task_result.kwargs["to"])

    task_enqueued.connect(collect, weak=False, dispatch_uid="test_problem_emails")
    try:
        counts, errors = run_parallel(5, lambda i: problems.deliver_due())
    finally:
        task_enqueued.disconnect(dispatch_uid="test_problem_emails")
    assert not errors, errors
    assert sum(counts) == 10
    expected = {f"a-admin-{n}@example.com" for n in range(8)} | {
        org_a_admin.email,
        org_b_admin.email,
    }
    assert sorted(queued) == sorted(expected)
    assert not ProblemNotification.objects.filter(status="pending").exists()


def test_parallel_invoices_of_two_organisations_get_unique_gapless_numbers(
    on_postgres, transactional_db, org_a, org_b
):
    # Each charge holds only its own organisation's lock (as a purchase or renewal does), so
    # two organisations invoice at the same moment: the numbers must still never collide.
    count = 10
    subscriptions = [org_a.subscriptions.get(), org_b.subscriptions.get()]
    issued = sorted(
        int(number.rsplit("-", 1)[1]) for number in Invoice.objects.values_list("number", flat=True)
    )

    def work(i):
        subscription = subscriptions[i % 2]
        with transaction.atomic():
            Organisation.objects.select_for_update().get(pk=subscription.organisation_id)
            return billing.InvoiceProvider().charge_period(subscription).number

    numbers, errors = run_parallel(count, work)
    assert not errors, errors
    sequence = sorted(int(number.rsplit("-", 1)[1]) for number in numbers)
    assert issued + sequence == list(range(1, len(issued) + count + 1))
