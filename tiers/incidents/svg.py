"""The daily uptime bar of a component as server-rendered SVG, with accessible text.

One rectangle per day (colour by the day's worst state, via CSS classes so the page's strict
Content-Security-Policy needs no inline style), each with a <title> tooltip. The SVG itself is
`role="img"` with a label giving the figure over the whole period; the per-day detail for
screen readers and text browsers is the list `uptime_text` returns, shown beside it.
"""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from tiers.incidents.selectors import STATE_LABELS, Day, History

BAR_WIDTH = 6
GAP = 2
HEIGHT = 34


def percent(value: float | None) -> str:
    """Uptime as people read it: two decimals, never rounded up to a false 100%."""
    if value is None:
        return "no data"
    floored = int(value * 10000) / 100
    return f"{floored:.2f}%"


def day_text(day: Day) -> str:
    if day.uptime is None:
        return f"{day.day:%d %b %Y}: no data"
    text = f"{day.day:%d %b %Y}: {percent(day.uptime)} uptime"
    if day.state != "operational":
        text += f", {STATE_LABELS[day.state].lower()}"
    if day.incidents:
        titles = "; ".join(incident.title for incident in day.incidents)
        text += f" ({len(day.incidents)} incident{'s' if len(day.incidents) > 1 else ''}: {titles})"
    return text


def uptime_bar(history: History) -> SafeString:
    days = history.days
    width = len(days) * (BAR_WIDTH + GAP) - GAP
    label = (
        f"{history.component.name}: {percent(history.uptime)} uptime over the last {len(days)} days"
    )
    rects = format_html_join(
        "",
        '<rect x="{}" y="0" width="{}" height="{}" rx="1" class="status-bar-{}">'
        "<title>{}</title></rect>",
        (
            (
                index * (BAR_WIDTH + GAP),
                BAR_WIDTH,
                HEIGHT,
                "nodata" if day.uptime is None else day.state.replace("_", "-"),
                day_text(day),
            )
            for index, day in enumerate(days)
        ),
    )
    return format_html(
        '<svg class="status-bar" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'preserveAspectRatio="none" role="img" aria-label="{label}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{label}</title>{rects}</svg>',
        w=width,
        h=HEIGHT,
        label=label,
        rects=rects,
    )


def uptime_text(history: History) -> list[str]:
    """The text equivalent: every day that was not fully operational (or "no incidents")."""
    return [
        day_text(day)
        for day in history.days
        if day.uptime is not None and (day.incidents or day.state != "operational")
    ]
