"""The forum's settings, each with its default: `from forum.conf import app_settings`.

Every property reads `django.conf.settings` when it is asked (never frozen at import), so a
deployment's settings and a test's override_settings both apply. In settings files the names
carry the prefix: `FORUM_THREADS_PER_PAGE = 50`.
"""

from __future__ import annotations

from django.conf import settings


class AppSettings:
    prefix = "FORUM_"

    def _setting(self, name: str, default):
        return getattr(settings, self.prefix + name, default)

    # --- listings -------------------------------------------------------------------------

    @property
    def THREADS_PER_PAGE(self) -> int:
        """Threads per page of a thread listing (category, tag, latest). Default 25."""
        return int(self._setting("THREADS_PER_PAGE", 25))

    @property
    def POSTS_PER_PAGE(self) -> int:
        """Posts per page of a thread (permalinks compute their page from it). Default 20."""
        return int(self._setting("POSTS_PER_PAGE", 20))

    @property
    def TRIAGE_HOURS(self) -> int:
        """Staff triage: a thread counts as unanswered after this many hours without an
        approved reply, unless the page asks for another number. Default 12."""
        return int(self._setting("TRIAGE_HOURS", 12))

    # --- trust and moderation -------------------------------------------------------------

    @property
    def NEW_MEMBER_APPROVAL_POSTS(self) -> int:
        """A new member's posts wait for a moderator until this many of theirs were approved
        (staff and moderators are never held). Default 2."""
        return int(self._setting("NEW_MEMBER_APPROVAL_POSTS", 2))

    @property
    def TRUST_MEMBER_POSTS(self) -> int:
        """Approved posts a new member needs to become a member. Default 3."""
        return int(self._setting("TRUST_MEMBER_POSTS", 3))

    @property
    def TRUST_MEMBER_DAYS(self) -> int:
        """Days since sign-up a new member needs to become a member. Default 1."""
        return int(self._setting("TRUST_MEMBER_DAYS", 1))

    @property
    def TRUST_TRUSTED_POSTS(self) -> int:
        """Approved posts a member needs to become trusted. Default 20."""
        return int(self._setting("TRUST_TRUSTED_POSTS", 20))

    @property
    def TRUST_TRUSTED_DAYS(self) -> int:
        """Days since sign-up a member needs to become trusted. Default 30."""
        return int(self._setting("TRUST_TRUSTED_DAYS", 30))

    @property
    def FLAG_HIDE_THRESHOLD(self) -> int:
        """Open flags from trusted members (or moderators) that hide a post until a moderator
        looks at it. Default 3."""
        return int(self._setting("FLAG_HIDE_THRESHOLD", 3))

    @property
    def FLAG_TRUSTED_LEVELS(self) -> tuple[str, ...]:
        """Trust levels whose flags count toward hiding a post. Default ("trusted",)."""
        return tuple(self._setting("FLAG_TRUSTED_LEVELS", ("trusted",)))

    @property
    def RATE_LIMITS(self) -> dict:
        """Overrides of the write rate limits, merged over forum.ratelimits.DEFAULT_LIMITS:
        {action: {trust level or "ip": [(max attempts, window seconds), ...]}}. Default {}."""
        return dict(self._setting("RATE_LIMITS", None) or {})


app_settings = AppSettings()
