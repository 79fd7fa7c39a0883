"""Every setting of the tiers app, with its default, read when asked (never frozen at import).

- ``TIERS_ATTACHMENT_MAX_BYTES`` (10 MiB): the largest file a ticket accepts.
- ``TIERS_PRIVATE_ROOT`` (``BASE_DIR / "var" / "private"``): where ticket attachments are
  stored, outside MEDIA_ROOT and never served directly.
- ``TIERS_BILLING_PROVIDER`` (``"invoice"``): the provider that charges subscriptions
  (a key of ``tiers.plans.billing.PROVIDERS``).
- ``TIERS_SYSTEM_USER_EMAIL`` (``"support-team@example.com"``): the account that posts the
  support team's automatic notes in the forum.
- ``TIERS_STATUS_CACHE_ALIAS`` (``"status"``): the cache holding the status page's rendered
  copies and their last good copies; must not be the database cache (it serves the page while
  the database is down). Falls back to ``"default"`` if no such cache is configured.
- ``TIERS_STATUS_CACHE_SECONDS`` (300): the longest a rendered status page is kept (changes
  invalidate it at once; this bounds what the clock alone changes).
- ``TIERS_STATUS_HISTORY_DAYS`` (90): days in the status page's uptime bars.
- ``TIERS_STATUS_WEBHOOK_TIMEOUT`` (10): seconds per status webhook request.
- ``TIERS_STATUS_WEBHOOK_ALLOW_PRIVATE`` (False): deliver webhooks to loopback/private addresses
  and plain http (tests, closed networks). Off, such URLs are refused so the sender cannot be
  aimed at internal services.
- ``TIERS_INBOUND_ADDRESS`` (``None``: the support e-mail address of the site settings): the
  mailbox customers write to; ticket e-mails carry ``local+<signed token>@domain`` replies.
- ``TIERS_INBOUND_TRUSTED_AUTHSERV_IDS`` (``[]``): the authserv-ids of the receiving relays we
  run; only their ``Authentication-Results`` header (DMARC/DKIM pass) authenticates a sender.
- ``TIERS_INBOUND_MAX_DEVICES`` (1,000,000,000; the column holds at most 2,147,483,647): an
  e-mailed "Devices affected" count above it is not believed (treated as not given).

Use ``from tiers.conf import app_settings`` and read ``app_settings.ATTACHMENT_MAX_BYTES``.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


class AppSettings:
    """Reads ``TIERS_<NAME>`` from Django settings on every access, so overrides apply."""

    def _get(self, name: str, default):
        return getattr(settings, f"TIERS_{name}", default)

    @property
    def ATTACHMENT_MAX_BYTES(self) -> int:
        return self._get("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)

    @property
    def PRIVATE_ROOT(self) -> Path:
        return Path(self._get("PRIVATE_ROOT", Path(settings.BASE_DIR) / "var" / "private"))

    @property
    def BILLING_PROVIDER(self) -> str:
        return self._get("BILLING_PROVIDER", "invoice")

    @property
    def SYSTEM_USER_EMAIL(self) -> str:
        return self._get("SYSTEM_USER_EMAIL", "support-team@example.com")

    @property
    def STATUS_CACHE_ALIAS(self) -> str:
        alias = self._get("STATUS_CACHE_ALIAS", "status")
        return alias if alias in settings.CACHES else "default"

    @property
    def STATUS_CACHE_SECONDS(self) -> int:
        return int(self._get("STATUS_CACHE_SECONDS", 300))

    @property
    def STATUS_HISTORY_DAYS(self) -> int:
        return int(self._get("STATUS_HISTORY_DAYS", 90))

    @property
    def STATUS_WEBHOOK_TIMEOUT(self) -> float:
        return float(self._get("STATUS_WEBHOOK_TIMEOUT", 10))

    @property
    def STATUS_WEBHOOK_ALLOW_PRIVATE(self) -> bool:
        return bool(self._get("STATUS_WEBHOOK_ALLOW_PRIVATE", False))

    @property
    def INBOUND_ADDRESS(self) -> str | None:
        return self._get("INBOUND_ADDRESS", None)

    @property
    def INBOUND_TRUSTED_AUTHSERV_IDS(self) -> list[str]:
        return list(self._get("INBOUND_TRUSTED_AUTHSERV_IDS", []))

    @property
    def INBOUND_MAX_DEVICES(self) -> int:
        return self._get("INBOUND_MAX_DEVICES", 1_000_000_000)


app_settings = AppSettings()
