"""The one gate: "may this user see / do this here?" for pages, categories and actions.

Every app asks here; none re-derives plan rules. Audiences are the strings the search document
carries: "public" for content everyone may see, or plan codes (e.g. "infinity") for gated content.

A user's audiences are "public" plus the plan codes of their organisations' active
subscriptions; support staff see everything (None). Page restrictions apply to the restricted
page and all its descendants (the nearest restricted ancestor wins).

Queries stay bounded: a user's audiences are computed once per user object (i.e. per request),
and the restriction maps (few rows) are loaded once per request - or once per `gate.batch()`
block in indexers and commands - and shared by every page and category asked about in it.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.signals import request_finished, request_started
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.urls import reverse

from allauth.account.models import EmailAddress

from resourcecenter.access import PUBLIC
from resourcecenter.roles import guardian_for, is_support_staff
from tiers.models import CategoryRestriction, PageRestriction, Plan, Subscription, Ticket
from tiers.permissions import visible_tickets
from tiers.selectors import default_plan_name, ticket_organisations, upgrade_plan


class _RestrictionCache(threading.local):
    """Restriction maps, kept for the length of one request (or one `batch()` block).

    Outside both, every question reads the (small) restriction tables afresh, so a change -
    or a rolled-back change - is never served stale.
    """

    def __init__(self):
        self.pages: dict[str, list[str]] | None = None
        self.categories: dict[int, list[str]] | None = None
        self.depth = 0

    def clear(self, **kwargs):
        self.pages = None
        self.categories = None


_cache = _RestrictionCache()


def _clear_cache(**kwargs):
    _cache.clear()


def _request_started(**kwargs):
    _cache.clear()
    _cache.depth = 1


def _request_finished(**kwargs):
    _cache.clear()
    _cache.depth = 0


request_started.connect(_request_started, dispatch_uid="tiers_gate_request_started")
request_finished.connect(_request_finished, dispatch_uid="tiers_gate_request_finished")


@contextmanager
def batch():
    """Share one load of the restriction maps across many questions (indexers, feeds)."""
    _cache.depth += 1
    try:
        yield
    finally:
        _cache.depth -= 1
        if _cache.depth <= 0:
            _cache.depth = 0
            _cache.clear()


def _page_map() -> dict[str, list[str]]:
    if _cache.pages is None or not _cache.depth:
        mapping: dict[str, list[str]] = {}
        for path, code in PageRestriction.objects.values_list("page__path", "plans__code"):
            codes = mapping.setdefault(path, [])
            if code:
                codes.append(code)
        _cache.pages = mapping
    return _cache.pages


def _category_map() -> dict[int, list[str]]:
    if _cache.categories is None or not _cache.depth:
        mapping: dict[int, list[str]] = {}
        for category_id, code in CategoryRestriction.objects.values_list(
            "category_id", "plans__code"
        ):
            codes = mapping.setdefault(category_id, [])
            if code:
                codes.append(code)
        _cache.categories = mapping
    return _cache.categories


def audiences_for(user) -> frozenset[str] | None:
    """The audiences whose content `user` may see; None means everything (support staff)."""
    if user is not None and is_support_staff(user):
        return None
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset({PUBLIC})

    def load() -> frozenset[str]:
        codes = Subscription.objects.filter(
            organisation__memberships__user=user, status=Subscription.STATUS_ACTIVE
        ).values_list("plan__code", flat=True)
        return frozenset({PUBLIC, *codes})

    return guardian_for(user).memo("tiers.audiences", load)


def page_audience(page) -> list[str]:
    """Audiences a Resource Center page is visible to (["public"] unless plan-gated)."""
    mapping = _page_map()
    if not mapping:
        return [PUBLIC]
    path = getattr(page, "path", "") or ""
    steplen = 4  # treebeard's MP_Node.steplen, as used by wagtailcore.Page
    for end in range(len(path), 0, -steplen):
        codes = mapping.get(path[:end])
        if codes is not None:
            # A restriction with no plans left restricts to staff only.
            return sorted(set(codes))
    return [PUBLIC]


def category_audience(category) -> list[str]:
    """Audiences a forum category is readable by (["public"] unless plan-gated)."""
    codes = _category_map().get(getattr(category, "pk", None))
    if codes is None:
        return [PUBLIC]
    return sorted(set(codes))


def can_view_page(user, page) -> bool:
    return _allowed(user, page_audience(page))


def can_read_category(user, category) -> bool:
    return _allowed(user, category_audience(category))


def can_open_tickets(user) -> bool:
    """True when one of the user's organisations is on a plan that opens tickets."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(ticket_organisations(user))


def gated_plans(audience: list[str]):
    """The plans named by a gated audience (for "available with <plan>" teasers)."""
    return list(Plan.objects.filter(code__in=[code for code in audience if code != PUBLIC]))


def vouched_for(user) -> bool:
    """A verified member (confirmed e-mail address) of an organisation with an active
    subscription to a paid plan: the customer vouches for them, so the forum need not hold
    their first question for a moderator."""
    if not getattr(user, "is_authenticated", False):
        return False

    def load() -> bool:
        paying = Subscription.objects.filter(
            organisation__memberships__user=user,
            status=Subscription.STATUS_ACTIVE,
            plan__is_default=False,
        ).exists()
        return (
            paying
            and EmailAddress.objects.filter(
                user=user, email__iexact=user.email, verified=True
            ).exists()
        )

    return guardian_for(user).memo("tiers.vouched", load)


def page_teaser(page) -> str:
    """The teaser staff wrote for the restriction that gates `page` (its own or the nearest
    restricted ancestor's), "" when none."""
    path = getattr(page, "path", "") or ""
    steplen = 4  # treebeard's MP_Node.steplen, as used by wagtailcore.Page
    prefixes = [path[:end] for end in range(len(path), 0, -steplen)]
    if not prefixes:
        return ""
    teaser = (
        PageRestriction.objects.filter(page__path__in=prefixes)
        .order_by("-page__depth")
        .values_list("teaser", flat=True)
        .first()
    )
    return (teaser or "").strip()


def category_teaser(category) -> str:
    """The teaser staff wrote for a plan-gated forum category, "" when none."""
    teaser = (
        CategoryRestriction.objects.filter(category_id=getattr(category, "pk", None))
        .values_list("teaser", flat=True)
        .first()
    )
    return (teaser or "").strip()


@dataclass(frozen=True)
class EscalationOption:
    """What the thread page offers a user for taking a thread private: data, no wording.

    `templates/tiers/includes/escalation_option.html` (its `template_name`) words it and links
    it. Plan names come from the data (tiers.selectors), never from code.

    - action "promote" (support staff, any thread): `case_number` when the thread already
      became a ticket, else `author_plans` - the author's (organisation, plan) pairs on a ticket
      plan - or, when there are none, `plan_name` = the plan everyone starts on.
    - action "escalate" (the thread's author on a ticket plan): `case_number` of the ticket it
      became, else `plan_name` = the author's ticket plan.
    - action "upgrade" (the author without a ticket plan): `plan_name` = the plan sold for
      tickets ("" when none is sold).
    """

    action: str
    thread_id: int
    case_number: str = ""
    plan_name: str = ""
    author_plans: tuple[tuple[str, str], ...] = ()
    template_name: str = "tiers/includes/escalation_option.html"


def thread_escalation_option(user, thread) -> EscalationOption | None:
    """What the thread page offers `user` for turning `thread` into a private ticket.

    Nothing (None) for anyone but support staff and the thread's author: a ticket is private to
    the author's organisation.
    """
    if not getattr(user, "is_authenticated", False) or thread is None or not thread.pk:
        return None
    staff = is_support_staff(user)
    if not staff and thread.author_id != user.pk:
        return None  # without a query: most readers are not the author
    ticket = _thread_ticket(thread)
    if staff:
        return _staff_option(thread, ticket)
    if ticket is not None:
        if visible_tickets(user).filter(pk=ticket.pk).exists():
            return EscalationOption("escalate", thread.pk, case_number=ticket.case_number)
        return None
    own_plans = ticket_organisations(user)
    if own_plans:
        return EscalationOption("escalate", thread.pk, plan_name=own_plans[0][1].name)
    upgrade = upgrade_plan()
    return EscalationOption("upgrade", thread.pk, plan_name=upgrade.name if upgrade else "")


def _staff_option(thread, ticket) -> EscalationOption:
    if ticket is not None:
        return EscalationOption("promote", thread.pk, case_number=ticket.case_number)
    author_orgs = ticket_organisations(thread.author) if thread.author_id else []
    if author_orgs:
        pairs = tuple((org.name, plan.name) for org, plan in author_orgs)
        return EscalationOption("promote", thread.pk, author_plans=pairs)
    return EscalationOption("promote", thread.pk, plan_name=default_plan_name())


def _thread_ticket(thread):
    cached = getattr(thread, "_tiers_ticket", False)
    if cached is False:
        cached = Ticket.objects.filter(thread_id=thread.pk).only("id", "case_number").first()
        thread._tiers_ticket = cached
    return cached


def _allowed(user, audience: list[str]) -> bool:
    allowed = audiences_for(user)
    return allowed is None or bool(allowed.intersection(audience))


def connect_invalidation():
    """Clear cached access rules when a page or category restriction changes (from ready())."""
    for model in (PageRestriction, CategoryRestriction):
        post_save.connect(_clear_cache, sender=model, dispatch_uid=f"tiers_gate_save_{model}")
        post_delete.connect(_clear_cache, sender=model, dispatch_uid=f"tiers_gate_del_{model}")
        m2m_changed.connect(
            _clear_cache, sender=model.plans.through, dispatch_uid=f"tiers_gate_m2m_{model}"
        )


def upgrade_url() -> str:
    """The plans page: where a reader of gated content sees what each plan adds."""
    return reverse("tiers:plans")
