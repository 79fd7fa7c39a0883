"""The staff roles and what each may do: one table, one object per user that answers from it.

A role is a Django group; a role grants *powers* (below). `is_staff` grants no power at all (it
only opens Django's own admin), and Wagtail's page "Moderators" group is not forum moderation:
only the groups named here count. Superusers (site admins) hold every power.

| role (group)          | powers                                                          |
|-----------------------|-----------------------------------------------------------------|
| Support analysts      | work tickets (every organisation's, internal notes, triage,     |
|                       | phone intake), moderate the forum                               |
| Support leads         | the analysts' powers, and lead support: plans and subscriptions,|
|                       | escalation contacts, holidays, reports                          |
| Community moderators  | moderate the forum (no tickets)                                 |
| Editors               | the Resource Center: pages (drafts, submitted for moderation),  |
|                       | product areas, redirects, search synonyms and reports           |

Customers' roles (organisation admin, organisation member) are memberships, answered by tiers.

Every question goes through `guardian_for(user)`: one `Guardian` per user object (so per request),
which loads the user's groups once and gives the apps one place to keep what they looked up about
this user (`memo`), instead of private attributes patched onto `User`. The queryset twin,
`users_with_power`, answers "who holds this power?" with the same table.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.db.models import Q

T = TypeVar("T")


class Power(StrEnum):
    WORK_TICKETS = "work_tickets"
    MODERATE_FORUM = "moderate_forum"
    LEAD_SUPPORT = "lead_support"
    EDIT_CONTENT = "edit_content"


ANALYSTS_GROUP = "Support analysts"
LEADS_GROUP = "Support leads"
COMMUNITY_MODERATORS_GROUP = "Community moderators"
EDITORS_GROUP = "Editors"

ROLE_POWERS: dict[str, frozenset[Power]] = {
    ANALYSTS_GROUP: frozenset({Power.WORK_TICKETS, Power.MODERATE_FORUM}),
    LEADS_GROUP: frozenset({Power.WORK_TICKETS, Power.MODERATE_FORUM, Power.LEAD_SUPPORT}),
    COMMUNITY_MODERATORS_GROUP: frozenset({Power.MODERATE_FORUM}),
    EDITORS_GROUP: frozenset({Power.EDIT_CONTENT}),
}
ALL_POWERS = frozenset(Power)


def groups_with_power(power: Power) -> list[str]:
    return [group for group, powers in ROLE_POWERS.items() if power in powers]


class Guardian:
    """What one user may do, by role; the apps' per-user look-ups cached beside it.

    Built once per user object by `guardian_for`; cheap for anonymous visitors (no queries).
    """

    def __init__(self, user):
        self.user = user
        self.authenticated = bool(getattr(user, "is_authenticated", False)) and bool(
            getattr(user, "is_active", False)
        )
        self._group_names: frozenset[str] | None = None
        self._powers: frozenset[Power] | None = None  # from the group names, once
        self._memo: dict[str, Any] = {}

    @property
    def group_names(self) -> frozenset[str]:
        if self._group_names is None:
            if self.authenticated and self.user.pk:
                self._group_names = frozenset(self.user.groups.values_list("name", flat=True))
            else:
                self._group_names = frozenset()
        return self._group_names

    @property
    def powers(self) -> frozenset[Power]:
        if self._powers is None:
            if not self.authenticated:
                self._powers = frozenset()
            elif self.user.is_superuser:
                self._powers = ALL_POWERS
            else:
                names = self.group_names
                self._powers = frozenset().union(*(ROLE_POWERS.get(n, ()) for n in names))
        return self._powers

    def has(self, power: Power) -> bool:
        return power in self.powers

    @property
    def is_support_staff(self) -> bool:
        """Works tickets: sees every organisation's tickets and every gated page."""
        return self.has(Power.WORK_TICKETS)

    @property
    def is_moderator(self) -> bool:
        return self.has(Power.MODERATE_FORUM)

    @property
    def is_support_lead(self) -> bool:
        return self.has(Power.LEAD_SUPPORT)

    @property
    def is_editor(self) -> bool:
        return self.has(Power.EDIT_CONTENT)

    @property
    def is_staff_member(self) -> bool:
        """Holds any staff power (so must use two-factor authentication)."""
        return bool(self.powers)

    def preload_groups(self, names) -> None:
        """Take the user's group names loaded elsewhere (a per-viewer cache) instead of querying."""
        self._group_names = frozenset(names)
        self._powers = None

    def memo(self, key: str, load: Callable[[], T]) -> T:
        """`load()` once per user object; the apps keep their per-user look-ups here."""
        if key not in self._memo:
            self._memo[key] = load()
        return self._memo[key]

    def remember(self, key: str, value: Any) -> None:
        """Replace a memo with what this request just wrote."""
        self._memo[key] = value

    def forget(self, key: str | None = None) -> None:
        """Drop one memo (or all, and the groups) after a change made in this request."""
        if key is None:
            self._memo.clear()
            self._group_names = None
            self._powers = None
        else:
            self._memo.pop(key, None)


def guardian_for(user) -> Guardian:
    """The user's guardian: one per user object, so its look-ups last one request."""
    if user is None or not getattr(user, "pk", None):
        return Guardian(user)
    guardian = user.__dict__.get("guardian")
    if guardian is None:
        guardian = Guardian(user)
        user.__dict__["guardian"] = guardian
    return guardian


def users_with_power_q(power: Power, prefix: str = "") -> Q:
    """The queryset twin of `Guardian.has`: a filter on users (or on `prefix`ed relations).

    Group membership is a subquery, not a join, so a user in two such groups is one row.
    """
    memberships = get_user_model().groups.through.objects.filter(
        group__name__in=groups_with_power(power)
    )
    return Q(**{f"{prefix}is_superuser": True}) | Q(
        **{f"{prefix}pk__in": memberships.values("user_id")}
    )


def users_with_power(power: Power):
    """Active users holding `power` (for assignee lists and notifications)."""
    return get_user_model().objects.filter(users_with_power_q(power), is_active=True)


def ticket_workers_q() -> Q:
    """`limit_choices_to` for "assigned to" fields: people who work tickets."""
    return users_with_power_q(Power.WORK_TICKETS) & Q(is_active=True)


def is_support_staff(user) -> bool:
    return guardian_for(user).is_support_staff


def is_moderator(user) -> bool:
    return guardian_for(user).is_moderator


def is_editor(user) -> bool:
    return guardian_for(user).is_editor
