"""Early warning: the same symptom rising in forum threads, tickets and searches at once.

Every new thread (title, tags, category), ticket (subject, description, tags) and search (the
masked query) is reduced to *signals*: content words, two-word phrases ("no data"), countries
("Germany"), tags, and each phrase or tag together with a country ("no data" in Germany), and
the things people name: device modules ("BG96", from `data/device_modules.json`) and the
status page's components ("SMS", "REST API", from the database), each as one signal. For
each signal we compare the last `RECENT` hours with the `BASELINE` before them, per source. A
signal *rises* in a source when it appears at least `MIN_COUNT` times recently and at least
`RISE` times as often as the baseline predicts (plus one, so a signal never seen before must
still appear `MIN_COUNT` times). An alarm needs the rise in at least two of the three sources
and `MIN_TOTAL` recent items; ordinary traffic, where one word gets busy in one place, stays
quiet. Rising signals seen in the same items are merged into one suggestion (so "no data" and
"Germany" make one incident draft), with the items as evidence.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.urls import reverse
from django.utils import timezone

from forum.models import Thread, ThreadState
from search.models import SearchQueryLog
from tiers.incidents.models import Component
from tiers.models import REGION_EU, REGION_US, Ticket

RECENT = dt.timedelta(hours=6)
BASELINE = dt.timedelta(days=7)
MIN_COUNT = 2
RISE = 3.0
MIN_TOTAL = 6
MIN_SOURCES = 2
OVERLAP = 0.5  # share of the smaller evidence set two signals must share to be one symptom

SOURCES = ("thread", "ticket", "search")
_STOP_TEXT = """
a about after again all also am an and any are as at be been before but by can cannot could
did do does doing for from get gets getting got had has have having he her here how i if in
into is it its just me more most my now of on or our out over please same she so some still
such than that the their them then there these they this those through to too under until up
very was we were what when where which while who why will with would you your help issue
issues problem problems question anyone since today hi hello thanks
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
NEGATIONS = frozenset({"no", "not", "cannot", "cant", "can't", "without", "never", "none"})
# Country names and adjectives people write -> (country, region of the help desk).
COUNTRIES = {
    "germany": ("Germany", REGION_EU), "german": ("Germany", REGION_EU),
    "deutschland": ("Germany", REGION_EU), "france": ("France", REGION_EU),
    "french": ("France", REGION_EU), "spain": ("Spain", REGION_EU),
    "spanish": ("Spain", REGION_EU), "italy": ("Italy", REGION_EU),
    "italian": ("Italy", REGION_EU), "netherlands": ("Netherlands", REGION_EU),
    "dutch": ("Netherlands", REGION_EU), "poland": ("Poland", REGION_EU),
    "austria": ("Austria", REGION_EU), "switzerland": ("Switzerland", REGION_EU),
    "sweden": ("Sweden", REGION_EU), "uk": ("United Kingdom", REGION_EU),
    "britain": ("United Kingdom", REGION_EU), "canada": ("Canada", REGION_US),
    "mexico": ("Mexico", REGION_US), "usa": ("United States", REGION_US),
    "texas": ("United States", REGION_US), "california": ("United States", REGION_US),
}  # fmt: skip
WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")


MODULES_FILE = Path(__file__).parent / "data" / "device_modules.json"
NAMED = ("module:", "component:")  # signals that name a thing rather than a symptom
# Signals that say what is wrong; a country or a common word alone does not.
SYMPTOM_KINDS = ("phrase:", "tag:", "near:", *NAMED)


@cache
def _device_modules() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(name, aliases) of the device modules in MODULES_FILE, read once per process."""
    data = json.loads(MODULES_FILE.read_text(encoding="utf-8"))
    return tuple((row["name"], tuple(row.get("aliases", ()))) for row in data["modules"])


@dataclass(frozen=True)
class Vocabulary:
    """The named things a text can mention: word sequences -> their signal."""

    names: dict[tuple[str, ...], str] = field(default_factory=dict)
    longest: int = 0  # words in the longest name

    @classmethod
    def load(cls) -> Vocabulary:
        """Device modules (the data file) and the status page's components (their name and
        slug), in one query."""
        names: dict[tuple[str, ...], str] = {}
        for name, aliases in _device_modules():
            for alias in (name, *aliases):
                names[tuple(WORD.findall(alias.lower()))] = f"module:{name}"
        for name, slug in Component.objects.values_list("name", "slug"):
            for alias in (name, slug.replace("-", " ")):
                names.setdefault(tuple(WORD.findall(alias.lower())), f"component:{name}")
        names.pop((), None)
        return cls(names, max(map(len, names), default=0))

    def find(self, tokens: list[str]) -> set[str]:
        return {
            self.names[tuple(tokens[start : start + size])]
            for start in range(len(tokens))
            for size in range(1, self.longest + 1)
            if tuple(tokens[start : start + size]) in self.names
        }


def signals(text: str, tags=(), vocabulary: Vocabulary | None = None) -> set[str]:
    """The signals in one item: "word:x", "phrase:x y", "country:Germany", "tag:x", and with a
    vocabulary "module:Quectel BG96", "component:SMS"."""
    tokens = WORD.findall((text or "").lower())
    found: set[str] = set()
    for token in tokens:
        if token in COUNTRIES:
            found.add(f"country:{COUNTRIES[token][0]}")
        elif token not in STOP_WORDS and token not in NEGATIONS and len(token) > 2:
            found.add(f"word:{token}")
    for first, second in zip(tokens, tokens[1:], strict=False):
        if second in STOP_WORDS or second in NEGATIONS or second in COUNTRIES:
            continue
        if first in NEGATIONS or (first not in STOP_WORDS and first not in COUNTRIES):
            found.add(f"phrase:{first} {second}")
    found.update(f"tag:{tag.lower()}" for tag in tags if tag)
    if vocabulary is not None:
        found |= vocabulary.find(tokens)
        for tag in tags:
            found |= vocabulary.find(WORD.findall((tag or "").lower()))
    # A symptom in one place: "no data" in Germany rises even where Germany is busy anyway.
    countries = [name[8:] for name in found if name.startswith("country:")]
    symptoms = [name.split(":", 1)[1] for name in found if name.startswith(("phrase:", "tag:"))]
    found.update(f"near:{symptom}@{country}" for symptom in symptoms for country in countries)
    return found


@dataclass(frozen=True)
class Item:
    source: str  # thread | ticket | search
    key: str  # unique per item, e.g. "ticket:12"
    text: str
    at: dt.datetime
    url: str = ""
    region: str = ""
    organisation_id: int | None = None


def _threads(since, vocabulary):
    rows = (
        Thread.objects.filter(created_at__gte=since)
        .exclude(moderation_state=ThreadState.DELETED)
        .select_related("category")
        .prefetch_related("tags")
        .only("id", "title", "slug", "created_at", "category__name")
    )
    for thread in rows:
        tags = [tag.name for tag in thread.tags.all()]
        item = Item(
            "thread", f"thread:{thread.pk}", thread.title, thread.created_at,
            thread.get_absolute_url(),
        )  # fmt: skip
        yield item, signals(f"{thread.title} {thread.category.name}", tags, vocabulary)


def _tickets(since, vocabulary):
    rows = Ticket.objects.filter(created_at__gte=since).values_list(
        "pk", "subject", "description", "tags", "region", "organisation_id", "created_at"
    )
    for pk, subject, description, tags, region, org_id, created_at in rows:
        url = reverse("tiers_ticket:edit", args=[pk])
        item = Item("ticket", f"ticket:{pk}", subject, created_at, url, region, org_id)
        tag_list = [t.strip() for t in tags.split(",")]
        yield item, signals(f"{subject} {description[:500]}", tag_list, vocabulary)


def _searches(since, vocabulary):
    rows = SearchQueryLog.objects.filter(created_at__gte=since).values_list(
        "pk", "query", "created_at"
    )
    for pk, query, created_at in rows:
        item = Item("search", f"search:{pk}", query, created_at)
        yield item, signals(query, vocabulary=vocabulary)


@dataclass
class Signal:
    name: str
    recent: dict[str, list[Item]] = field(default_factory=dict)
    baseline: dict[str, int] = field(default_factory=dict)

    def expected(self, source: str) -> float:
        return self.baseline.get(source, 0) * (RECENT / BASELINE)

    def rising_in(self, source: str) -> bool:
        count = len(self.recent.get(source, []))
        return count >= MIN_COUNT and count >= RISE * (self.expected(source) + 1) - 1

    @property
    def sources(self) -> list[str]:
        return [source for source in SOURCES if self.rising_in(source)]

    @property
    def total(self) -> int:
        return sum(len(items) for items in self.recent.values())

    @property
    def keys(self) -> set[str]:
        return {item.key for items in self.recent.values() for item in items}

    @property
    def label(self) -> str:
        return self.name.split(":", 1)[1]


@dataclass
class Suggestion:
    """A suggested incident draft: the symptom, its evidence, and what to declare."""

    signals: list[Signal]
    items: list[Item]
    since: dt.datetime

    @property
    def key(self) -> str:
        """Identifies the suggestion across requests (the declare button posts it back)."""
        return "|".join(sorted(signal.name for signal in self.signals))

    @property
    def counts(self) -> dict[str, int]:
        return {source: sum(1 for i in self.items if i.source == source) for source in SOURCES}

    def baseline(self, source: str) -> float:
        return max(signal.expected(source) for signal in self.signals)

    @property
    def countries(self) -> list[str]:
        found = [s.label for s in self.signals if s.name.startswith("country:")]
        found += [s.label.rsplit("@", 1)[1] for s in self.signals if s.name.startswith("near:")]
        return sorted(set(found))

    @property
    def affects(self) -> list[str]:
        """The device modules and status components the evidence names."""
        return sorted(s.label for s in self.signals if s.name.startswith(NAMED))

    @property
    def symptom(self) -> str:
        phrases = [s.label for s in self.signals if s.name.startswith(("phrase:", "tag:"))]
        phrases += [s.label.rsplit("@", 1)[0] for s in self.signals if s.name.startswith("near:")]
        words = [s.label for s in self.signals if s.name.startswith("word:")]
        # Words that only repeat a module's or component's name ("bg96") say nothing more.
        named = set(WORD.findall(" ".join(self.affects).lower()))
        phrases = [p for p in dict.fromkeys(phrases) if not set(p.split()) <= named]
        covered = " ".join(phrases).split()
        words = [w for w in words if w not in covered and w not in named]
        return ", ".join((phrases + words)[:3]) or "unusual activity"

    @property
    def where(self) -> str:
        """ " on Quectel BG96 in Germany": what and where, as far as the evidence says."""
        on = f" on {', '.join(self.affects)}" if self.affects else ""
        return on + (f" in {', '.join(self.countries)}" if self.countries else "")

    @property
    def title(self) -> str:
        return f"Investigating: {self.symptom}{self.where}"[:200]

    @property
    def region(self) -> str:
        regions = {COUNTRIES[c.lower()][1] for c in self.countries if c.lower() in COUNTRIES}
        return regions.pop() if len(regions) == 1 else ""

    @property
    def severity(self) -> int:
        """Severity 2 when several organisations' tickets report it, else 3 (staff decide)."""
        orgs = {i.organisation_id for i in self.items if i.source == "ticket"}
        return 2 if len(orgs) >= 2 else 3

    @property
    def description(self) -> str:
        counts = self.counts
        return (
            f"We are investigating reports of {self.symptom}{self.where}. "
            f"Since {timezone.localtime(self.since):%H:%M %Z}: {counts['thread']} forum "
            f"threads, {counts['ticket']} tickets and {counts['search']} searches mention it."
        )


def _collect(now: dt.datetime) -> dict[str, Signal]:
    since, cut = now - RECENT - BASELINE, now - RECENT
    found: dict[str, Signal] = {}
    vocabulary = Vocabulary.load()
    for source in (_threads, _tickets, _searches):
        rows = source(since, vocabulary)
        for item, names in rows:
            if item.at > now:
                continue
            for name in names:
                signal = found.setdefault(name, Signal(name))
                if item.at >= cut:
                    signal.recent.setdefault(item.source, []).append(item)
                else:
                    signal.baseline[item.source] = signal.baseline.get(item.source, 0) + 1
    return found


def suggestions(now: dt.datetime | None = None) -> list[Suggestion]:
    """Suggested incidents for the last `RECENT` hours, biggest first (usually none)."""
    now = now or timezone.now()
    rising = [
        s for s in _collect(now).values() if len(s.sources) >= MIN_SOURCES and s.total >= MIN_TOTAL
    ]
    rising.sort(key=lambda s: (-s.total, s.name))
    groups: list[list[Signal]] = []
    for signal in rising:
        for group in groups:
            anchor = group[0].keys
            shared = len(anchor & signal.keys) / min(len(anchor), len(signal.keys))
            if shared >= OVERLAP:
                group.append(signal)
                break
        else:
            groups.append([signal])
    result = []
    for group in groups:
        # Evidence is what names the symptom: an item that only mentions the country (or a
        # common word) of the group is not.
        naming = [s for s in group if s.name.startswith(SYMPTOM_KINDS)] or group
        items = {item.key: item for s in naming for items in s.recent.values() for item in items}
        evidence = sorted(items.values(), key=lambda i: i.at, reverse=True)
        result.append(Suggestion(group, evidence, now - RECENT))
    return result


CACHE_SECONDS = 120


def recent_suggestions() -> list[Suggestion]:
    """`suggestions()` as the staff screens show them: computed at most every two minutes
    (reading a week of threads, tickets and searches is not free); declaring recomputes."""
    from django.core.cache import cache

    found = cache.get("tiers.early_warning")
    if found is None:
        found = suggestions()
        cache.set("tiers.early_warning", found, CACHE_SECONDS)
    return found
