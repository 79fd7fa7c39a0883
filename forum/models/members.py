"""The forum's Member beside each user (handle, trust level, sanctions, e-mail frequency) and
what members follow and are told: subscriptions and notifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from forum.models.threads import Category, Post, Thread


class TrustLevel(models.TextChoices):
    NEW = "new", "New member"
    MEMBER = "member", "Member"
    TRUSTED = "trusted", "Trusted member"


class NotificationFrequency(models.TextChoices):
    IMMEDIATE = "immediate", "Immediately"
    DAILY = "daily", "Daily digest"
    OFF = "off", "Off"


class Member(models.Model):
    """A user's standing in the community: trust level, sanctions, notification preference.

    Created on first need (forum.member_services.ensure_member), which also picks a unique `handle`.
    `trust_level_locked` means staff set the level by hand and automatic promotion leaves it alone.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_member"
    )
    handle = models.CharField(
        max_length=40,
        unique=True,
        null=True,
        blank=True,
        help_text="How others @mention this member (letters, digits, _ . -).",
    )
    trust_level = models.CharField(
        max_length=10, choices=TrustLevel.choices, default=TrustLevel.NEW
    )
    trust_level_locked = models.BooleanField(
        default=False, help_text="Set by staff; automatic promotion does not change it."
    )
    approved_post_count = models.PositiveIntegerField(default=0)
    suspended_until = models.DateTimeField(
        null=True, blank=True, help_text="May not post, edit, vote or flag until then."
    )
    silenced_until = models.DateTimeField(
        null=True, blank=True, help_text="May read and vote but not post until then."
    )
    sanction_reason = models.CharField(max_length=500, blank=True)
    notification_frequency = models.CharField(
        max_length=10,
        choices=NotificationFrequency.choices,
        default=NotificationFrequency.IMMEDIATE,
    )
    last_digest_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["trust_level"], name="forum_member_trust"),
            # @mentions are matched case-insensitively (forum.selectors.mentionable_members).
            models.Index(Lower("handle"), name="forum_member_handle_lower"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_trust_level_display()})"

    def is_suspended(self, now=None) -> bool:
        return bool(self.suspended_until and self.suspended_until > (now or timezone.now()))

    def is_silenced(self, now=None) -> bool:
        return bool(self.silenced_until and self.silenced_until > (now or timezone.now()))


class Subscription(models.Model):
    """A user watching a thread or a whole category (exactly one of the two)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_subscriptions"
    )
    thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions"
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(thread__isnull=False) & Q(category__isnull=True))
                | (Q(thread__isnull=True) & Q(category__isnull=False)),
                name="forum_subscription_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "thread"],
                condition=Q(thread__isnull=False),
                name="forum_subscription_thread_once",
            ),
            models.UniqueConstraint(
                fields=["user", "category"],
                condition=Q(category__isnull=False),
                name="forum_subscription_category_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} watches {self.thread or self.category}"


class NotificationKind(models.TextChoices):
    REPLY = "reply", "New reply in a watched thread"
    NEW_THREAD = "new_thread", "New thread in a watched category"
    MENTION = "mention", "Mentioned you"
    QUOTE = "quote", "Quoted you"
    ACCEPTED = "accepted", "Your answer was accepted"
    OFFICIAL = "official", "Official answer"
    SOLVED = "solved", "Thread solved"
    MODERATION = "moderation", "Moderation"


class Notification(models.Model):
    """An in-site notification; `emailed_at` is set once it went out by e-mail or digest."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_notifications"
    )
    kind = models.CharField(max_length=12, choices=NotificationKind.choices)
    thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="forum_notif_unread"),
            models.Index(fields=["emailed_at", "created_at"], name="forum_notif_unsent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient_id}"
