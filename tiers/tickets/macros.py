"""Canned replies: checking a macro's placeholders when it is saved, rendering it for a ticket.

The text is parsed once with `string.Formatter` (so `{{` and `}}` are literal braces) and each
placeholder replaced by its value; nothing substituted is parsed again and no attribute or
index lookups are allowed, so a value can never reach Python objects or other placeholders.
Messages are plain text, escaped when shown.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from wagtail.models import Page

from tiers.mail import absolute

PLACEHOLDERS = {
    "customer_name": "the requester's name",
    "case_number": "the case number",
    "subject": "the ticket's subject",
    "organisation": "the customer's organisation",
    "analyst_name": "your name",
    "page_link": "a link to the page chosen on the macro",
}
PAGE_PREFIX = "page"  # {page:slug}: the format spec is the page's slug


@dataclass(frozen=True)
class Piece:
    literal: str
    field: str | None = None
    spec: str = ""


def parse(body: str) -> list[Piece]:
    """The text as literal pieces and placeholders; ValueError for unbalanced braces."""
    pieces = []
    for literal, field, spec, conversion in string.Formatter().parse(body):
        if conversion:
            raise ValueError(f"{{{field}!{conversion}}} is not a placeholder.")
        pieces.append(Piece(literal, field, spec or ""))
    return pieces


def placeholder_errors(body: str, *, has_page: bool) -> list[str]:
    """What is wrong with a macro's text, in words (empty when it is fine)."""
    try:
        pieces = parse(body)
    except ValueError as exc:
        return [f"{exc} Write {{{{ or }}}} for a literal brace."]
    errors, slugs = [], set()
    for piece in pieces:
        if piece.field is None:
            continue
        if piece.field == PAGE_PREFIX:
            if not piece.spec:
                errors.append("{page:…} needs a page slug, e.g. {page:activate-a-sim}.")
            else:
                slugs.add(piece.spec)
        elif piece.spec or piece.field not in PLACEHOLDERS:
            known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
            errors.append(f"Unknown placeholder {{{piece.field}}}. Known: {known}, {{page:slug}}.")
        elif piece.field == "page_link" and not has_page:
            errors.append("{page_link} needs a page chosen below.")
    missing = slugs - set(_pages_by_slug(slugs))
    errors += [f"No published page has the slug “{slug}”." for slug in sorted(missing)]
    return errors


def _pages_by_slug(slugs) -> dict[str, Page]:
    pages = {}
    for page in Page.objects.live().filter(slug__in=slugs).order_by("-depth", "path"):
        pages[page.slug] = page
    return pages


def _link(page) -> str:
    url = page.url or "/"
    return url if url.startswith(("http://", "https://")) else absolute(url)


def page_urls(macros) -> dict[str, str]:
    """Absolute URLs of every {page:slug} the macros use, in one query."""
    slugs = set()
    for macro in macros:
        try:
            slugs |= {p.spec for p in parse(macro.body) if p.field == PAGE_PREFIX and p.spec}
        except ValueError:
            continue
    return {slug: _link(page) for slug, page in _pages_by_slug(slugs).items()}


def render(macro, ticket, analyst, urls: dict[str, str] | None = None) -> str:
    """The macro's text for `ticket`; a placeholder that cannot be filled stays as written."""
    urls = page_urls([macro]) if urls is None else urls
    values = {
        "customer_name": ticket.requester.public_name,
        "case_number": ticket.case_number,
        "subject": ticket.subject,
        "organisation": ticket.organisation.name,
        "analyst_name": analyst.public_name,
        "page_link": _link(macro.page) if macro.page_id and macro.page else "",
    }
    try:
        pieces = parse(macro.body)
    except ValueError:
        return macro.body
    out = []
    for piece in pieces:
        out.append(piece.literal)
        if piece.field is None:
            continue
        if piece.field == PAGE_PREFIX:
            out.append(urls.get(piece.spec, f"{{page:{piece.spec}}}"))
        else:
            out.append(values.get(piece.field, f"{{{piece.field}}}"))
    return "".join(out)
