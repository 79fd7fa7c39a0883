"""What the staff workspace adds to a ticket: people copied on it, canned replies (macros)
and the requester's satisfaction rating."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tiers.tickets.models import Ticket


class TicketCC(models.Model):
    """A member of the ticket's organisation copied on its public updates.

    Only members of the same organisation may be added (tiers.tickets.workspace.add_cc), and
    e-mails go only to those who are still members when they are sent.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="ccs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="tiers_ticketcc_unique")
        ]
        verbose_name = "ticket CC"

    def __str__(self) -> str:
        return f"{self.ticket_id} cc {self.user_id}"


class Macro(models.Model):
    """A canned reply analysts insert from the composer, with optional actions.

    The text is plain text with placeholders (tiers.tickets.macros lists them); values are
    substituted once and shown escaped like every message, so a customer's name can never
    become markup or another placeholder.
    """

    name = models.CharField(max_length=100, unique=True)
    body = models.TextField(
        help_text=(
            "Placeholders: {customer_name}, {case_number}, {subject}, {organisation}, "
            "{analyst_name}, {page_link} (the page chosen below), {page:slug} (any Resource "
            "Center page by its slug). Write {{ or }} for a literal brace."
        )
    )
    page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="A Resource Center page to link with {page_link}.",
    )
    set_status = models.CharField(
        max_length=15,
        choices=Ticket.STATUS_CHOICES,
        blank=True,
        help_text="Optional: the status the ticket moves to when the reply is sent.",
    )
    set_severity = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
        help_text="Optional: the severity set with the reply.",
    )
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from tiers.tickets.macros import placeholder_errors

        errors = placeholder_errors(self.body or "", has_page=bool(self.page_id))
        if errors:
            raise ValidationError({"body": errors})


class SatisfactionRating(models.Model):
    """The requester's rating of a resolved case: the survey is sent once per ticket and the
    first rating is the one that counts (a later click shows it and changes nothing)."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="satisfaction")
    sent_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="tiers_satisfaction_rating_1_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.rating or 'not rated'}"
