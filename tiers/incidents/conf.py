"""Settings of the status page, read through one object with documented defaults.

STATUS_CACHE_ALIAS          cache holding the rendered status pages and their last good
                            copies; must not live in the database (it serves the page
                            while the database is down). Default "status".
STATUS_CACHE_SECONDS        longest a rendered page is kept (changes invalidate it at
                            once; this bounds clock-driven ones). Default 300.
STATUS_HISTORY_DAYS         days in the uptime bars. Default 90.
STATUS_WEBHOOK_TIMEOUT      seconds per webhook request. Default 10.
STATUS_WEBHOOK_ALLOW_PRIVATE  deliver to loopback/private addresses (tests, closed
                            networks). Default False: such URLs are refused, so the
                            sender cannot be aimed at internal services.
"""

from __future__ import annotations

from django.conf import settings


class StatusSettings:
    @property
    def CACHE_ALIAS(self) -> str:  # noqa: N802
        alias = getattr(settings, "STATUS_CACHE_ALIAS", "status")
        return alias if alias in settings.CACHES else "default"

    @property
    def CACHE_SECONDS(self) -> int:  # noqa: N802
        return int(getattr(settings, "STATUS_CACHE_SECONDS", 300))

    @property
    def HISTORY_DAYS(self) -> int:  # noqa: N802
        return int(getattr(settings, "STATUS_HISTORY_DAYS", 90))

    @property
    def WEBHOOK_TIMEOUT(self) -> float:  # noqa: N802
        return float(getattr(settings, "STATUS_WEBHOOK_TIMEOUT", 10))

    @property
    def WEBHOOK_ALLOW_PRIVATE(self) -> bool:  # noqa: N802
        return bool(getattr(settings, "STATUS_WEBHOOK_ALLOW_PRIVATE", False))


app_settings = StatusSettings()
