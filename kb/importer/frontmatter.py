"""YAML (or TOML) front matter: split it off a document and map it onto page fields."""

from __future__ import annotations

import datetime
import re
import tomllib
from dataclasses import dataclass, field

from django.utils import timezone

import yaml

from resourcecenter.tags import parse_tag_names

_YAML_OPEN = re.compile(r"\A---[ \t]*\r?\n")
_YAML_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_TOML_OPEN = re.compile(r"\A\+\+\+[ \t]*\r?\n")
_TOML_CLOSE = re.compile(r"^\+\+\+[ \t]*\r?$", re.MULTILINE)

DATE_KEYS = ("last_reviewed", "last_update", "last_updated", "updated", "lastmod", "date")


@dataclass
class FrontMatter:
    """Parsed front matter plus the body after it; `problems` are warnings for the file."""

    data: dict
    body: str
    problems: list[str] = field(default_factory=list)
    body_line: int = 1  # line number (1-based) of the body's first line in the file


def split_front_matter(text: str) -> FrontMatter:
    """Separate a leading `---` YAML (or `+++` TOML) block from the Markdown body.

    A malformed block is reported and dropped; the body is still imported.
    """
    for opener, closer, parse, label in (
        (_YAML_OPEN, _YAML_CLOSE, _parse_yaml, "YAML"),
        (_TOML_OPEN, _TOML_CLOSE, _parse_toml, "TOML"),
    ):
        start = opener.match(text)
        if not start:
            continue
        end = closer.search(text, start.end())
        if not end:
            return FrontMatter(
                {},
                text,
                [f"front matter starts with '{text[:3]}' but is never closed; treated as text"],
            )
        raw = text[start.end() : end.start()]
        body = text[end.end() :].lstrip("\r\n")
        body_line = text[: len(text) - len(body)].count("\n") + 1
        try:
            data = parse(raw)
        except ValueError as exc:
            return FrontMatter(
                {}, body, [f"bad {label} front matter ({exc}); front matter ignored"], body_line
            )
        if data is None:
            data = {}
        if not isinstance(data, dict):
            return FrontMatter(
                {},
                body,
                ["front matter is not a mapping of keys to values; front matter ignored"],
                body_line,
            )
        return FrontMatter(data, body, [], body_line)
    return FrontMatter({}, text)


def _parse_yaml(raw: str):
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        where = f"line {mark.line + 2}: " if mark is not None else ""
        raise ValueError(f"{where}{problem}") from exc


def _parse_toml(raw: str):
    try:
        return tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(str(exc)) from exc


@dataclass
class PageMeta:
    """The front matter keys the importer understands, validated."""

    title: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)
    position: float | None = None
    slug: str = ""
    last_reviewed: datetime.date | None = None
    kind: str = ""
    difficulty: str = ""
    product_area: str = ""
    draft: bool = False
    unlisted: bool = False  # Docusaurus: reachable by its address, left out of navigation
    sidebar_label: str = ""
    # code samples and training videos (kind: code_sample / video)
    task: str = ""
    video_url: str = ""
    duration: datetime.timedelta | None = None
    chapters: list[tuple[str, str]] = field(default_factory=list)  # (start, title)


def page_meta(data: dict, problems: list[str]) -> PageMeta:
    """Map front matter onto `PageMeta`; anything unusable becomes a problem, never an error."""
    meta = PageMeta()
    meta.title = _text(data.get("title"), "title", problems)
    meta.description = _text(data.get("description", data.get("summary")), "description", problems)
    meta.tags = _tags(data.get("tags"), problems)
    for keyword in _tags(data.get("keywords"), problems):  # SEO keywords: searchable as tags
        if keyword.lower() not in {tag.lower() for tag in meta.tags}:
            meta.tags.append(keyword)
    meta.position = _position(data.get("sidebar_position", data.get("weight")), problems)
    slug = _text(data.get("slug"), "slug", problems)
    meta.slug = slug.strip("/").rsplit("/", 1)[-1] if slug else ""
    meta.last_reviewed = _date(data, problems)
    meta.kind = _text(data.get("kind", data.get("type")), "kind", problems)
    meta.difficulty = _text(data.get("difficulty"), "difficulty", problems)
    meta.product_area = _text(data.get("product_area"), "product_area", problems)
    meta.draft = data.get("draft") is True
    meta.unlisted = data.get("unlisted") is True
    meta.sidebar_label = _text(data.get("sidebar_label"), "sidebar_label", problems)
    meta.task = _text(data.get("task"), "task", problems)[:250]
    meta.video_url = _text(data.get("video_url", data.get("video")), "video_url", problems)
    meta.duration = _duration(data.get("duration"), problems)
    meta.chapters = _chapters(data.get("chapters"), problems)
    return meta


_CLOCK = re.compile(r"^(?:(\d+):)?([0-5]?\d):([0-5]\d)$")


def _duration(value, problems: list[str]) -> datetime.timedelta | None:
    """`hh:mm:ss` or `mm:ss` (YAML reads an unquoted 8:42 as 522 seconds: taken as such)."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return datetime.timedelta(seconds=value)
    match = _CLOCK.match(str(value).strip())
    if not match:
        problems.append(f"front matter 'duration' {value!r} is not hh:mm:ss; ignored")
        return None
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return datetime.timedelta(hours=hours, minutes=minutes, seconds=seconds)


def _chapters(value, problems: list[str]) -> list[tuple[str, str]]:
    """A video's chapters: a list of `"00:48 Title"` strings or `{start, title}` mappings."""
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append("front matter 'chapters' should be a list; ignored")
        return []
    chapters = []
    for item in value:
        if isinstance(item, dict):
            start, title = str(item.get("start", "")).strip(), str(item.get("title", "")).strip()
        else:
            start, _, title = str(item).strip().partition(" ")
        if not _CLOCK.match(start) or not title:
            problems.append(f"chapter {item!r} is not 'mm:ss Title'; left out")
            continue
        chapters.append((start[:8], " ".join(title.split())[:200]))
    return chapters


def _text(value, key: str, problems: list[str]) -> str:
    if value is None:
        return ""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return " ".join(str(value).split())
    problems.append(f"front matter '{key}' should be text, not {type(value).__name__}; ignored")
    return ""


def _tags(value, problems: list[str]) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        problems.append("front matter 'tags' should be a list; ignored")
        return []
    texts: list[str] = []
    for item in value:
        if isinstance(item, dict):  # Docusaurus tag objects: {label: ..., permalink: ...}
            item = item.get("label")
        if isinstance(item, str | int | float) and not isinstance(item, bool):
            texts.append(str(item))
        else:
            problems.append(f"front matter tag {item!r} is not text; ignored")
    return parse_tag_names(texts, max_length=100)


def _position(value, problems: list[str]) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        problems.append("front matter 'sidebar_position' should be a number; ignored")
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        problems.append(f"front matter 'sidebar_position' {value!r} is not a number; ignored")
        return None


def _date(data: dict, problems: list[str]) -> datetime.date | None:
    for key in DATE_KEYS:
        if key not in data or data[key] in (None, ""):
            continue
        value = data[key]
        if isinstance(value, dict):  # Docusaurus: last_update: {date: ..., author: ...}
            value = value.get("date")
            if value in (None, ""):
                continue
        parsed = parse_date(value)
        if parsed is None:
            problems.append(f"front matter '{key}' {value!r} is not a date (use YYYY-MM-DD)")
            continue
        return parsed
    return None


def parse_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        ago = re.fullmatch(r"(\d{1,5}) days? ago", text)
        if ago:  # demo and fixture trees stay as fresh as the day they are loaded
            return timezone.localdate() - datetime.timedelta(days=int(ago.group(1)))
        try:
            return datetime.date.fromisoformat(text[:10])
        except ValueError:
            pass
        # Month-first with dashes or slashes (US, as Docusaurus' last_update examples), day-first
        # with dots (European), then spelled-out months; ISO dates and times are handled above.
        for fmt in (
            "%m-%d-%Y",
            "%m/%d/%Y",
            "%d.%m.%Y",
            "%Y/%m/%d",
            "%Y.%m.%d",
            "%d %B %Y",
            "%d %b %Y",
            "%B %d, %Y",
            "%b %d, %Y",
            "%B %d %Y",
        ):
            try:
                return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date
            except ValueError:
                continue
    return None
