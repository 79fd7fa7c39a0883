"""The access interface: "may this user see this page, read this category?", asked by kb, forum
and search, answered by whichever app plugs its gate in.

The core cannot import the app that knows plans (tiers sits above kb, forum and search), so the
answer is reached the way Django reaches its auth backends: one implementation is registered at
start-up (`register()` from an `AppConfig.ready()`), and every question goes through the
module-level functions below. Without a registered gate everything is public and nobody may open
tickets: the content apps work on their own.

Audiences are the strings the search document carries: `PUBLIC` for content everyone may see, or
plan codes for gated content. `audiences_for()` returns None for "everything" (support staff).
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Protocol

PUBLIC = "public"


class EscalationOffer(Protocol):
    """An offer shown on a thread page; the page includes `template_name` with it as `option`."""

    action: str
    template_name: str


class AccessGate(Protocol):
    """What an implementation must answer; `tiers.gate` is the product's."""

    def audiences_for(self, user) -> frozenset[str] | None: ...

    def page_audience(self, page) -> list[str]: ...

    def category_audience(self, category) -> list[str]: ...

    def can_view_page(self, user, page) -> bool: ...

    def can_read_category(self, user, category) -> bool: ...

    def gated_plans(self, audience: list[str]) -> list: ...

    def page_teaser(self, page) -> str: ...

    def category_teaser(self, category) -> str: ...

    def vouched_for(self, user) -> bool: ...

    def thread_escalation_option(self, user, thread) -> EscalationOffer | None: ...

    def batch(self) -> AbstractContextManager: ...

    def upgrade_url(self) -> str | None: ...


class OpenAccess:
    """The gate when no app registered one: all content is public, no plans, no tickets."""

    def audiences_for(self, user) -> frozenset[str] | None:
        return frozenset({PUBLIC})

    def page_audience(self, page) -> list[str]:
        return [PUBLIC]

    def category_audience(self, category) -> list[str]:
        return [PUBLIC]

    def can_view_page(self, user, page) -> bool:
        return True

    def can_read_category(self, user, category) -> bool:
        return True

    def gated_plans(self, audience: list[str]) -> list:
        return []

    def page_teaser(self, page) -> str:
        return ""

    def category_teaser(self, category) -> str:
        return ""

    def vouched_for(self, user) -> bool:
        return False

    def thread_escalation_option(self, user, thread) -> EscalationOffer | None:
        return None

    def batch(self) -> AbstractContextManager:
        return nullcontext()

    def upgrade_url(self) -> str | None:
        return None


_gate: AccessGate = OpenAccess()


def register(gate: AccessGate) -> None:
    """Plug in the gate (called once, from the implementing app's `AppConfig.ready()`)."""
    global _gate
    _gate = gate


def audiences_for(user) -> frozenset[str] | None:
    """The audiences whose content `user` may see; None means everything (support staff)."""
    return _gate.audiences_for(user)


def page_audience(page) -> list[str]:
    """Audiences a Resource Center page is visible to (`[PUBLIC]` unless plan-gated)."""
    return _gate.page_audience(page)


def category_audience(category) -> list[str]:
    """Audiences a forum category is readable by (`[PUBLIC]` unless plan-gated)."""
    return _gate.category_audience(category)


def can_view_page(user, page) -> bool:
    return _gate.can_view_page(user, page)


def can_read_category(user, category) -> bool:
    return _gate.can_read_category(user, category)


def gated_plans(audience: list[str]) -> list:
    """The plans named by a gated audience (for "available with ..." teasers)."""
    return _gate.gated_plans(audience)


def page_teaser(page) -> str:
    """What staff wrote to show instead of a gated page's content ("" when nothing)."""
    return _gate.page_teaser(page)


def category_teaser(category) -> str:
    """What staff wrote to show instead of a gated forum category ("" when nothing)."""
    return _gate.category_teaser(category)


def vouched_for(user) -> bool:
    """True when a paying customer organisation vouches for `user` (a verified member): the
    forum then trusts them from their first post instead of holding it for a moderator."""
    return _gate.vouched_for(user)


def thread_escalation_option(user, thread) -> EscalationOffer | None:
    """What the thread page offers `user` for taking `thread` private (None: nothing).

    The answer is data; the page includes its `template_name`, which words and links it."""
    return _gate.thread_escalation_option(user, thread)


def batch() -> AbstractContextManager:
    """Share one load of the restriction data across many questions (indexers, feeds)."""
    return _gate.batch()


def upgrade_url() -> str | None:
    """Where a reader goes to get what a gated page needs (the plans page), if anywhere."""
    return _gate.upgrade_url()
