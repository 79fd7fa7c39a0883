"""How the site says times and amounts to customers: one date style, in the reader's time zone,
and amounts with proper plurals ("1 hour", "2 hours", "1 case").

The reader's time zone is the one their browser reports (resourcecenter.middleware
.ReaderTimeZoneMiddleware activates it); until it is known, times are shown in UTC and say so.
"""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import dateformat, timezone

register = template.Library()

DATE_FORMAT = "j M Y"  # 2 Dec 2026
DATETIME_FORMAT = "j M Y, H:i T"  # 2 Dec 2026, 14:05 CET


@register.filter
def when(value) -> str:
    """A moment as "2 Dec 2026, 14:05 CET" in the reader's time zone ("" for none)."""
    if not value:
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return dateformat.format(value, DATETIME_FORMAT)
    if isinstance(value, date):
        return dateformat.format(value, DATE_FORMAT)
    return str(value)


@register.filter
def day(value) -> str:
    """A day as "2 Dec 2026" (a moment is first moved into the reader's time zone)."""
    if not value:
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, DATE_FORMAT)


# Units whose singular is not simply the plural without its "s".
_SINGULAR = {"hours": "hour", "minutes": "minute", "cases": "case", "days": "day"}


@register.filter
def quantity(value, unit: str) -> str:
    """ "1 hour", "1.5 hours", "3 cases": the number (up to 2 decimals) and its unit, singular
    only for exactly one. `unit` may be given in the plural or the singular."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return f"{value} {unit}"
    plural = unit if unit.endswith("s") else f"{unit}s"
    singular = _SINGULAR.get(plural, plural[:-1])
    shown = format(number.quantize(Decimal("0.01")).normalize(), "f")  # 1.5, not 1.50
    return f"{shown} {singular if number == 1 else plural}"
