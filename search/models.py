"""Search's own tables: the database engine's index, its vocabulary, the indexing outbox,
editable synonyms and the query log."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from wagtail.admin.panels import FieldPanel
from wagtail.search import index as wagtail_index


class SearchEntry(models.Model):
    """One search document as the database engine stores it.

    The full-text index is a separate, vendor-specific structure created by migration 0002:
    an FTS5 external-content table kept in sync by triggers on SQLite, a generated, weighted
    tsvector column with a GIN index on PostgreSQL. Lists are stored delimited ("|a|b|") so
    that one indexable LIKE pattern filters them on both databases.
    """

    doc_id = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, db_index=True)
    url = models.CharField(max_length=500)
    title = models.CharField(max_length=300)
    headings = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    code = models.TextField(blank=True)
    tags = models.TextField(blank=True)
    product_area = models.CharField(max_length=80, blank=True, db_index=True)
    product_area_name = models.CharField(max_length=120, blank=True)
    section = models.CharField(max_length=200, blank=True)
    audience = models.CharField(max_length=300)
    solved = models.BooleanField(default=False)
    staff_answered = models.BooleanField(default=False)
    created = models.DateTimeField()
    updated = models.DateTimeField()
    updated_epoch = models.FloatField(default=0)
    popularity = models.FloatField(default=0)
    boost = models.FloatField(default=1)
    is_public = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "search entries"

    def __str__(self) -> str:
        return self.doc_id


class SearchEntryTag(models.Model):
    """One tag of an entry: lets the database engine count tag facets with a GROUP BY."""

    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="tag_rows")
    tag = models.CharField(max_length=100)

    class Meta:
        indexes = [models.Index(fields=["tag", "entry"])]

    def __str__(self) -> str:
        return self.tag


class SearchTerm(models.Model):
    """A word seen in public documents, with how often: the dictionary for "did you mean"."""

    term = models.CharField(max_length=60, unique=True)
    frequency = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.term


class SearchStem(models.Model):
    """A word's stem and how many public documents have it in any form ("publish",
    "publishes", "published"...): the engines match the stem, so a query word is as rare as
    its stem, not as its own spelling ("taking" is in few pages, "take" in most)."""

    stem = models.CharField(max_length=60, unique=True)
    frequency = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.stem


class IndexOutbox(models.Model):
    """A pending index change, written in the same transaction as the change itself.

    Rows are deleted only after the engine accepted the change; a failed application keeps
    its row (with the error and a later retry time), so nothing is lost while the search
    server is down.
    """

    provider = models.CharField(max_length=40)
    key = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["provider", "key"])]
        verbose_name = "index outbox entry"
        verbose_name_plural = "index outbox"

    def __str__(self) -> str:
        return f"{self.provider}:{self.key}"


class Synonym(wagtail_index.Indexed, models.Model):
    """A group of words and phrases that mean the same to our customers (editable data).

    A query containing any of them also finds documents containing the others.
    """

    terms = models.CharField(
        max_length=500,
        unique=True,
        help_text='Equivalent words or phrases, separated by commas: "APN, access point name".',
    )
    notes = models.CharField(max_length=250, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [FieldPanel("terms"), FieldPanel("notes")]
    search_fields = [wagtail_index.SearchField("terms"), wagtail_index.AutocompleteField("terms")]

    class Meta:
        ordering = ["terms"]

    def __str__(self) -> str:
        return self.terms

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        from search.query import forget_synonyms

        forget_synonyms()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        from search.query import forget_synonyms

        forget_synonyms()
        return result

    @property
    def term_list(self) -> list[str]:
        return parse_synonym_terms(self.terms)

    def clean(self):
        from django.core.exceptions import ValidationError

        terms = parse_synonym_terms(self.terms)
        if len(terms) < 2:
            raise ValidationError({"terms": "Give at least two equivalent terms, comma-separated."})
        self.terms = ", ".join(terms)


def parse_synonym_terms(value: str) -> list[str]:
    seen: list[str] = []
    for part in (value or "").split(","):
        term = " ".join(part.split()).strip()
        if term and term.lower() not in [s.lower() for s in seen]:
            seen.append(term)
    return seen


class SearchQueryLog(models.Model):
    """One search made on the search page: feeds the staff report of top and zero-result
    queries (what people look for, what content is missing). No user is stored."""

    query = models.CharField(max_length=200, db_index=True)
    results = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.query} ({self.results})"


class SearchVector(models.Model):
    """A document's dense vector (the optional hybrid ranking, `SEARCH_DENSE`): float32 bytes
    of unit length, with a digest of the text it was computed from, so re-indexing an
    unchanged document costs no model run."""

    doc_id = models.CharField(max_length=100, unique=True)
    digest = models.CharField(max_length=40)
    vector = models.BinaryField()

    def __str__(self) -> str:
        return self.doc_id
