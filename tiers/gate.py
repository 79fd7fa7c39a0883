"""The one gate: "may this user see / do this here?" for pages, categories and actions.

Every app asks here; none re-derives plan rules. Audiences are the strings the search document
carries: "public" for content everyone may see, or plan codes (e.g. "infinity") for gated content.

The Support tiers issue fills these in with organisations, plans and restrictions; until then
everything is public and nobody may open tickets.
"""

from __future__ import annotations

PUBLIC = "public"


def audiences_for(user) -> frozenset[str] | None:
    """The audiences whose content `user` may see; None means everything (support staff)."""
    return frozenset({PUBLIC})


def page_audience(page) -> list[str]:
    """Audiences a Resource Center page is visible to (["public"] unless plan-gated)."""
    return [PUBLIC]


def category_audience(category) -> list[str]:
    """Audiences a forum category is readable by (["public"] unless plan-gated)."""
    return [PUBLIC]


def can_view_page(user, page) -> bool:
    return _allowed(user, page_audience(page))


def can_read_category(user, category) -> bool:
    return _allowed(user, category_audience(category))


def can_open_tickets(user) -> bool:
    return False


def thread_escalation_option(user, thread) -> dict | None:
    """What the thread page offers `user` for turning `thread` into a private ticket.

    Returns None (offer nothing), or {"action": "escalate" | "promote" | "upgrade",
    "label": str, "url": str, "explanation": str}.
    """
    return None


def _allowed(user, audience: list[str]) -> bool:
    allowed = audiences_for(user)
    return allowed is None or bool(allowed.intersection(audience))
