"""Every setting of the tiers app, with its default, read when asked (never frozen at import).

- ``TIERS_ATTACHMENT_MAX_BYTES`` (10 MiB): the largest file a ticket accepts.
- ``TIERS_PRIVATE_ROOT`` (``BASE_DIR / "var" / "private"``): where ticket attachments are
  stored, outside MEDIA_ROOT and never served directly.
- ``TIERS_BILLING_PROVIDER`` (``"invoice"``): the provider that charges subscriptions
  (a key of ``tiers.plans.billing.PROVIDERS``).
- ``TIERS_SYSTEM_USER_EMAIL`` (``"support-team@example.com"``): the account that posts the
  support team's automatic notes in the forum.

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


app_settings = AppSettings()
