"""Horizontal bar charts as server-rendered SVG, with accessible text.

No charting library is installed, and a report needs only bars: one row per group, its label
left, its bar scaled to the largest value, its figure right. The SVG is `role="img"` with a
label that reads out every figure, so a screen reader hears what a sighted reader sees; the
page shows the same figures in a table beside it. Colours are presentation attributes (not
inline styles), which the site's Content-Security-Policy allows.
"""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from tiers.reports.figures import Bar

ROW = 22
BAR = 14
LABEL_WIDTH = 230
BAR_WIDTH = 260
VALUE_WIDTH = 50
FILL = "#1f5fa8"
EMPTY = "#d9e2ec"


def describe(title: str, bars: list[Bar]) -> str:
    parts = "; ".join(f"{bar.label}: {bar.value}" for bar in bars)
    return f"{title}. {parts}." if bars else f"{title}: nothing to show."


def _shorten(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(title: str, bars: list[Bar]) -> SafeString:
    """`bars` as an SVG bar chart titled `title`."""
    top = max((bar.value for bar in bars), default=0) or 1
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    height = max(len(bars), 1) * ROW
    rows = format_html_join(
        "",
        "<g><title>{}: {}</title>"
        '<text x="0" y="{}" font-size="12" fill="#1b1b1b">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" rx="2" fill="{}"></rect>'
        '<rect x="{}" y="{}" width="{}" height="{}" rx="2" fill="{}"></rect>'
        '<text x="{}" y="{}" font-size="12" fill="#1b1b1b">{}</text></g>',
        (
            (
                bar.label,
                bar.value,
                index * ROW + 15,
                _shorten(bar.label),
                LABEL_WIDTH,
                index * ROW + 4,
                BAR_WIDTH,
                BAR,
                EMPTY,
                LABEL_WIDTH,
                index * ROW + 4,
                round(BAR_WIDTH * bar.value / top),
                BAR,
                FILL,
                LABEL_WIDTH + BAR_WIDTH + 8,
                index * ROW + 15,
                bar.value,
            )
            for index, bar in enumerate(bars)
        ),
    )
    label = describe(title, bars)
    return format_html(
        '<svg class="report-chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-label="{label}" xmlns="http://www.w3.org/2000/svg"><title>{label}</title>'
        "{rows}</svg>",
        w=width,
        h=height,
        label=label,
        rows=rows,
    )
