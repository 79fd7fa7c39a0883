"""The Community: categories, threads, posts and everything that hangs off them.

Counters on Thread and Post (reply_count, view_count, helpful_count, ...) are denormalised for
cheap listings. They are only ever written by forum.services (F() expressions or recomputation
inside a transaction), never by read-modify-write in Python, so they stay exact under concurrent
writes. Visibility is a *state* on the row (moderation_state), never a hard delete: the history
of a conversation and of its moderation survives.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify


class Category(models.Model):
    """A board of the forum (e.g. "APN & data", "Announcements").

    Ordered by `position`; `staff_only_posting` limits new threads to support staff (replies are
    still open unless a thread is locked). Who may *read* a category is the tiers gate's question
    (resourcecenter.access.can_read_category), not a field here.
    """

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True, max_length=500)
    position = models.PositiveIntegerField(default=0, db_index=True)
    staff_only_posting = models.BooleanField(
        default=False, help_text="Only support staff may start threads here (e.g. announcements)."
    )
    is_active = models.BooleanField(
        default=True, help_text="Inactive categories are hidden and accept no new threads."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("forum:category", kwargs={"slug": self.slug})


class Tag(models.Model):
    """A free label on threads (e.g. "lte-m", "quectel", "api"); feeds exist per tag."""

    name = models.CharField(max_length=40, unique=True)
    slug = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("forum:tag", kwargs={"slug": self.slug})


class ThreadState(models.TextChoices):
    VISIBLE = "visible", "Visible"
    HELD = "held", "Held for approval"
    HIDDEN = "hidden", "Hidden by a moderator"
    DELETED = "deleted", "Deleted"


class ThreadStatus(models.TextChoices):
    OPEN = "open", "Open"
    SOLVED = "solved", "Solved"
    CLOSED = "closed", "Closed"


class Thread(models.Model):
    """A question (its first post, number 1) and the replies to it.

    `moderation_state` is "held" while the first post awaits approval. `reply_count`,
    `last_post`, `last_activity_at` and `has_staff_reply` describe only *approved* replies and are
    maintained by forum.services.refresh_thread_stats (a single recomputing UPDATE).
    """

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, allow_unicode=False)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="threads")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="forum_threads",
    )
    status = models.CharField(
        max_length=10, choices=ThreadStatus.choices, default=ThreadStatus.OPEN
    )
    pinned = models.BooleanField(default=False)
    locked = models.BooleanField(default=False, help_text="Locked threads accept no replies.")
    tags = models.ManyToManyField(Tag, blank=True, related_name="threads")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_activity_at = models.DateTimeField(default=timezone.now)
    last_post = models.ForeignKey(
        "Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply_count = models.PositiveIntegerField(default=0)
    view_count = models.PositiveIntegerField(default=0)
    # Highest post number handed out so far; incremented with F() to number posts gap-free
    # per thread even under concurrent replies.
    last_post_number = models.PositiveIntegerField(default=0, editable=False)
    accepted_answer = models.ForeignKey(
        "Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    has_staff_reply = models.BooleanField(
        default=False, help_text="An approved reply by support staff exists."
    )
    has_official_answer = models.BooleanField(default=False)
    first_staff_reply_at = models.DateTimeField(null=True, blank=True)
    moderation_state = models.CharField(
        max_length=10, choices=ThreadState.choices, default=ThreadState.VISIBLE
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_threads"
    )

    class Meta:
        ordering = ["-pinned", "-last_activity_at"]
        indexes = [
            models.Index(
                fields=["category", "moderation_state", "-pinned", "-last_activity_at"],
                name="forum_thread_cat_activity",
            ),
            models.Index(
                fields=["moderation_state", "-last_activity_at"], name="forum_thread_activity"
            ),
            models.Index(fields=["moderation_state", "-created_at"], name="forum_thread_newest"),
            models.Index(
                fields=["moderation_state", "reply_count", "-created_at"],
                name="forum_thread_unanswered",
            ),
            models.Index(fields=["status", "moderation_state"], name="forum_thread_status"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.title)[:200] or "thread"
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("forum:thread", kwargs={"pk": self.pk, "slug": self.slug or "thread"})

    @property
    def is_solved(self) -> bool:
        return self.status == ThreadStatus.SOLVED

    @property
    def is_visible(self) -> bool:
        return self.moderation_state == ThreadState.VISIBLE


class PostState(models.TextChoices):
    APPROVED = "approved", "Approved"
    HELD = "held", "Held for approval"
    REJECTED = "rejected", "Rejected"
    HIDDEN = "hidden", "Hidden"
    DELETED = "deleted", "Deleted"


class Post(models.Model):
    """One message in a thread; number 1 is the question.

    `body_html` is the sanitised rendering of `body_markdown` (forum.markdown), stored so pages
    never render on read; `rendered_with_policy_version` says which sanitiser policy produced it,
    so `manage.py forum_rerender` can bring old posts up to date. `restricted_markup` records that
    the author was not yet allowed links/images when writing, so a re-render keeps that.
    `is_staff_answer` is stored at write time and stays true to history.
    """

    # Posts are listed in the moderation screens, never referenced from pages or snippets:
    # indexing their references would queue a Wagtail task on every reply.
    wagtail_reference_index_ignore = True

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    number = models.PositiveIntegerField(help_text="Position within the thread (1 = question).")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="forum_posts",
    )
    body_markdown = models.TextField()
    body_html = models.TextField(blank=True)
    rendered_with_policy_version = models.PositiveIntegerField(default=0)
    restricted_markup = models.BooleanField(
        default=False, help_text="Rendered without links and images (new member)."
    )
    quote_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="quoted_by"
    )
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="forum_mentions"
    )
    is_staff_answer = models.BooleanField(
        default=False, help_text="Written by support staff (stored when written)."
    )
    is_official_answer = models.BooleanField(default=False)
    moderation_state = models.CharField(
        max_length=10, choices=PostState.choices, default=PostState.APPROVED
    )
    deleted_reason = models.CharField(max_length=500, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deleted_at = models.DateTimeField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    edit_count = models.PositiveIntegerField(default=0)
    helpful_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["thread", "number"]
        constraints = [
            models.UniqueConstraint(fields=["thread", "number"], name="forum_post_thread_number")
        ]
        indexes = [
            models.Index(
                fields=["thread", "moderation_state", "number"], name="forum_post_thread_state"
            ),
            models.Index(fields=["moderation_state", "created_at"], name="forum_post_state"),
            models.Index(fields=["author", "created_at"], name="forum_post_author"),
            models.Index(fields=["rendered_with_policy_version"], name="forum_post_policy_version"),
        ]

    def __str__(self) -> str:
        return f"#{self.number} in {self.thread_id}"

    def get_absolute_url(self) -> str:
        """The permalink: redirects to the right page of the thread."""
        return reverse("forum:post", kwargs={"pk": self.pk})

    @property
    def is_question(self) -> bool:
        return self.number == 1


class PostRevision(models.Model):
    """A previous version of a post, kept on every edit (visible to staff and the author)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body_markdown = models.TextField(help_text="The text as it was before this edit.")
    title = models.CharField(max_length=200, blank=True, help_text="Thread title before the edit.")
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["post", "-created_at"], name="forum_revision_post")]

    def __str__(self) -> str:
        return f"Revision of post {self.post_id} at {self.created_at:%Y-%m-%d %H:%M}"


class PostVote(models.Model):
    """A "helpful" vote: one per user and post, never on one's own post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_votes"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="forum_vote_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} found post {self.post_id} helpful"


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

    Created on first need (forum.members.ensure_member), which also picks a unique `handle`.
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


class FlagReason(models.TextChoices):
    SPAM = "spam", "Spam"
    OFFENSIVE = "offensive", "Offensive or abusive"
    OFF_TOPIC = "off_topic", "Off-topic"
    OTHER = "other", "Something else"


class FlagResolution(models.TextChoices):
    UPHELD = "upheld", "Upheld (post hidden or removed)"
    DISMISSED = "dismissed", "Dismissed"


class Flag(models.Model):
    """A signed-in user's report about a post; one per user and post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="flags")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_flags"
    )
    reason = models.CharField(max_length=12, choices=FlagReason.choices)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolution = models.CharField(max_length=12, choices=FlagResolution.choices, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["post", "reporter"], name="forum_flag_once_per_user")
        ]
        indexes = [models.Index(fields=["resolved_at", "-created_at"], name="forum_flag_open")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} flag on post {self.post_id}"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The moderation log is append-only.")

    def delete(self):
        raise PermissionError("The moderation log is append-only.")


class ModerationLogEntry(models.Model):
    """One moderator action: who, what, on what, when, why, before/after. Append-only.

    `save()` refuses to change an existing entry and `delete()` raises, on the model and on
    querysets. The target is stored generically (content type + id) plus a readable `target_repr`
    that survives if the target goes away; `thread`/`post`/`subject_user` are shortcuts for
    filtering in the admin.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(max_length=40, db_index=True)
    target_content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_object_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=300, blank=True)
    thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The member the action was about (author, suspended user ...).",
    )
    reason = models.TextField(blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "moderation log entry"
        verbose_name_plural = "moderation log"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionError("The moderation log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The moderation log is append-only.")


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
