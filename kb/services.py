"""Writes of the Resource Center: "Was this helpful?" votes."""

from __future__ import annotations

from django.core.cache import cache
from django.db import IntegrityError, transaction

from kb.models import ArticleFeedback

# At most this many votes per client (user, else session, else IP) per window.
FEEDBACK_RATE_LIMIT = 20
FEEDBACK_RATE_WINDOW = 60 * 60  # seconds


def feedback_rate_limited(client_key: str) -> bool:
    """Count one feedback submission by `client_key`; True when it is over the limit.

    Why: votes are anonymous-friendly, so a script could otherwise skew the "least helpful"
    report. Guarantees at most FEEDBACK_RATE_LIMIT accepted submissions per client per hour
    (per cache; the database cache is shared by every web process).
    """
    key = f"kb:feedback-rate:{client_key}"
    if cache.add(key, 1, FEEDBACK_RATE_WINDOW):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, FEEDBACK_RATE_WINDOW)
        return False
    return count > FEEDBACK_RATE_LIMIT


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
