"""What every e-mail of the tiers app shares: the support desk's address, absolute links and
times in the reader's zone. The e-mails themselves live in each domain's `notify` module."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

from resourcecenter.models import SupportSettings


def support_address() -> str:
    try:
        return SupportSettings.load().support_email
    except Exception:  # noqa: BLE001 - settings table missing during early migrations
        return settings.DEFAULT_FROM_EMAIL


def absolute(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def format_moment(moment, zone: str = "UTC") -> str:
    """A time in the reader's zone (UTC when none is set or the zone is unknown)."""
    try:
        tzinfo = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        tzinfo, zone = ZoneInfo("UTC"), "UTC"
    local = moment.astimezone(tzinfo)
    return f"{local:%a %d %b %Y %H:%M} {local.tzname() if zone != 'UTC' else 'UTC'}"
