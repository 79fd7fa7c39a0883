"""Writes of the Resource Center: "Was this helpful?" votes, marking pages as reviewed."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from kb.models import ArticleFeedback
from resourcecenter.ratelimit import Policy

# At most this many votes per client (user, else IP) per window.
FEEDBACK_RATE_LIMIT = 20
FEEDBACK_RATE_WINDOW = 60 * 60  # seconds
FEEDBACK_RATE = Policy("kb.feedback", ((FEEDBACK_RATE_LIMIT, FEEDBACK_RATE_WINDOW),))


def feedback_rate_limited(client_key: str) -> bool:
    """Count one feedback submission by `client_key`; True when it is over the limit.

    Why: votes are anonymous-friendly, so a script could otherwise skew the "least helpful"
    report. Guarantees at most FEEDBACK_RATE_LIMIT accepted submissions per client per clock
    hour (resourcecenter.ratelimit: the shared cache counts for every web process).
    """
    return FEEDBACK_RATE.consume(client_key) is not None


@transaction.atomic
def record_feedback(
    *, page, helpful: bool, comment: str = "", user=None, session_key: str = ""
) -> tuple[ArticleFeedback, bool]:
    """Record a vote on `page`: one per signed-in user, else one per session.

    Why: "Was this helpful?" must count people, not clicks. Guarantees: a second vote by the
    same user (or the same anonymous session) updates the first instead of adding one; a
    non-empty comment replaces the earlier comment, an empty one keeps it. Returns
    (feedback, created). Concurrent first votes are resolved by the unique constraints.
    """
    if user is not None and getattr(user, "is_authenticated", False):
        lookup = {"page": page, "user": user}
    elif session_key:
        lookup = {"page": page, "user": None, "session_key": session_key}
    else:
        raise ValueError("An anonymous vote needs a session key.")
    defaults = {"helpful": helpful}
    if comment:
        defaults["comment"] = comment
    try:
        with transaction.atomic():
            feedback, created = ArticleFeedback.objects.select_for_update().update_or_create(
                defaults=defaults, **lookup
            )
    except IntegrityError:  # a concurrent first vote won the race: update that one
        feedback = ArticleFeedback.objects.select_for_update().get(**lookup)
        for field, value in defaults.items():
            setattr(feedback, field, value)
        feedback.save()
        created = False
    return feedback, created


@dataclass
class ReviewOutcome:
    published: bool  # True: the live page shows the new date; False: a draft carries it
    message: str


@transaction.atomic
def mark_reviewed(page, user, on: datetime.date | None = None) -> ReviewOutcome:
    """Record that an editor checked `page` and found it correct: set "Last reviewed".

    Why: the "Pages due for review" report should shrink by one click per checked page, not
    by opening and saving each page. Guarantees: only someone who may edit the page can do
    it (PermissionError otherwise); the date goes through a new revision (history and the
    audit log show who reviewed it). It is published at once only when the user may publish
    and the page is live without other pending changes; otherwise the newest draft gets the
    date and waits for the usual publishing or moderation, so nobody's draft is published by
    accident and moderation is never bypassed.
    """
    page = page.specific
    permissions = page.permissions_for_user(user)
    if not permissions.can_edit():
        raise PermissionError("You may not edit this page.")
    on = on or timezone.localdate()
    latest = page.get_latest_revision_as_object()
    latest.last_reviewed = on
    pending = page.has_unpublished_changes or page.workflow_in_progress
    revision = latest.save_revision(user=user, log_action=True)
    if page.live and not pending and permissions.can_publish():
        revision.publish(user=user)
        return ReviewOutcome(True, f"“{page.title}” marked as reviewed on {on:%-d %B %Y}.")
    if page.workflow_in_progress:
        why = "it is in moderation; the date is published with the approved version"
    elif pending or not page.live:
        why = "it has unpublished changes; the date is published with them"
    else:
        why = "submit it for moderation to publish the date"
    return ReviewOutcome(False, f"“{page.title}”: the review date was saved in a draft ({why}).")
