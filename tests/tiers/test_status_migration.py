"""The migration that grows service problems into incidents keeps the existing data: "open"
becomes "investigating", the impact class follows the recorded severity, and problems written
for their customers only stay off the public status page."""

import datetime as dt

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

import pytest

BEFORE = [("tiers", "0004_alter_ticket_assigned_to")]
AFTER = [("tiers", "0005_status_page")]


@pytest.mark.django_db(transaction=True)
def test_existing_problems_keep_their_data():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("tiers")
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        problem_model = old.get_model("tiers", "ServiceProblem")
        update_model = old.get_model("tiers", "ProblemUpdate")
        now = timezone.now()
        rows = {}
        for severity, status in ((1, "open"), (2, "monitoring"), (3, "resolved")):
            rows[severity] = problem_model.objects.create(
                title=f"Problem {severity}",
                description="Written for the affected customers.",
                severity=severity,
                status=status,
                started_at=now - dt.timedelta(hours=severity),
                resolved_at=now if status == "resolved" else None,
                created_at=now,
            )
            update_model.objects.create(
                problem=rows[severity],
                kind="opened",
                body="First word.",
                status=status,
                severity=severity,
                created_at=now,
            )
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        problem_model = new.get_model("tiers", "ServiceProblem")
        found = {p.severity: p for p in problem_model.objects.all()}
        assert {s: (p.status, p.impact, p.is_public) for s, p in found.items()} == {
            1: ("investigating", "critical", False),
            2: ("monitoring", "operational", False),
            3: ("resolved", "general", False),
        }
        assert found[3].resolved_at is not None
        assert found[1].title == "Problem 1" and found[1].description.startswith("Written")
        updates = new.get_model("tiers", "ProblemUpdate").objects.order_by("severity")
        assert list(updates.values_list("status", flat=True)) == [
            "investigating",
            "monitoring",
            "resolved",
        ]
        # New incidents are public by default.
        assert problem_model._meta.get_field("is_public").default is True
        # And back: "investigating" returns to "open".
        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        statuses = old.get_model("tiers", "ServiceProblem").objects.values_list("status", flat=True)
        assert sorted(statuses) == ["monitoring", "open", "resolved"]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
