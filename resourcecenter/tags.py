"""Tag names from what people type: the one parser for forum tags and imported kb tags.

Each app keeps its own rule for what a valid tag is (the forum allows one lowercase word of
letters, digits and - . + #; the Resource Center allows a short phrase); this module does the
part they share: split, trim, collapse inner whitespace, drop empties and repeats.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from resourcecenter.text import collapse_whitespace


def parse_tag_names(
    value: str | Iterable[str] | None,
    *,
    split_on_whitespace: bool = False,
    lowercase: bool = False,
    drop_prefix: str = "",
    max_length: int | None = None,
) -> list[str]:
    """The tag names in `value`, in order, without empties or repeats (case-insensitive).

    A string is split on commas (and on whitespace with `split_on_whitespace`); a list is
    taken item by item. Each name is trimmed with inner whitespace collapsed, loses leading
    `drop_prefix` characters ("#lte" -> "lte"), is lowercased if asked and cut to `max_length`.
    """
    if value is None:
        return []
    if isinstance(value, str):
        value = re.split(r"[,\s]+" if split_on_whitespace else r",", value)
    names: list[str] = []
    seen: set[str] = set()
    for raw in value:
        name = collapse_whitespace(str(raw or "")).lstrip(drop_prefix)
        if lowercase:
            name = name.lower()
        if max_length is not None:
            name = name[:max_length].rstrip()
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names
