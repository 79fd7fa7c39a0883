"""Categories, tags, threads and posts, with their revisions and helpful votes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
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
    maintained by forum.thread_stats (a single recomputing UPDATE, or a reply's numbering UPDATE).
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
