"""What the community importers (forum.importers) made from an old forum's records."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone


class ImportedKind(models.TextChoices):
    MEMBER = "member", "Member"
    QUESTION = "question", "Question (thread)"
    ANSWER = "answer", "Answer (reply)"
    COMMENT = "comment", "Comment (note under a post)"


class ImportedRecord(models.Model):
    """What a community importer (forum.importers) made from one record of an old forum.

    It is how a re-run knows a record is already here (`source` + `kind` + `source_id` is
    unique) and whether it changed since (`fingerprint` of the source data it was made from), so
    importing the same dump twice changes nothing. For members it also holds the e-mail address
    the old forum knew (`claim_email`; empty when the source has none, as in Stack Exchange
    dumps): whoever later verifies that address here takes over the imported member's posts
    (forum.importers.claims).
    """

    source = models.CharField(
        max_length=100, help_text='The old forum, e.g. "stackexchange:iot.stackexchange.com".'
    )
    kind = models.CharField(max_length=10, choices=ImportedKind.choices)
    source_id = models.CharField(max_length=64)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    fingerprint = models.CharField(max_length=64, blank=True)
    source_url = models.URLField(max_length=300, blank=True)
    claim_email = models.EmailField(blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "source_id"], name="forum_imported_once"
            )
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="forum_imported_object"),
            models.Index(
                Lower("claim_email"),
                condition=~Q(claim_email=""),
                name="forum_imported_claim_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.source_id}"
