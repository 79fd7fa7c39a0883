"""The Resource Center's page types: sections, articles, code samples and training videos."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase

from kb.blocks import BaseStreamBlock, ChapterBlock, heading_anchor
from kb.video import video_embed_url
from resourcecenter import journeys
from resourcecenter.models import HelpEvent

# Every kind a listing can filter by: the article kinds plus the two other content page types.
LISTING_KINDS = [
    ("tutorial", "Tutorial"),
    ("guide", "Guide"),
    ("api_key_guide", "API key guide"),
    ("support_topic", "Support topic"),
    ("code_sample", "Code sample"),
    ("video", "Video"),
]
LISTING_KIND_LABELS = dict(LISTING_KINDS)
# A page whose "last reviewed" date is older than this is flagged as possibly out of date.
REVIEW_INTERVAL = datetime.timedelta(days=365)


class ProductArea(models.Model):
    """A part of the provider's offering (SIMs, APN & data, SMS, API ...): a facet for listings
    and search, kept as data so editors can add areas without a deploy."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ResourcePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "wagtailcore.Page", related_name="resource_tagged_items", on_delete=models.CASCADE
    )


class ResourceIndexPage(Page):
    """A section of the Resource Center: lists its children, filterable by kind, area and tag."""

    intro = RichTextField(blank=True)
    source_path = models.CharField(
        max_length=500,
        blank=True,
        db_index=True,
        editable=False,
        help_text="Set by the docs importer: the folder this section was imported from.",
    )

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["resourcecenter.HomePage", "kb.ResourceIndexPage"]
    subpage_types = ["kb.ResourceIndexPage", "kb.ArticlePage", "kb.CodeSamplePage", "kb.VideoPage"]

    class Meta:
        verbose_name = "section"

    def get_context(self, request, *args, **kwargs):
        from kb.page_context import resource_index_context

        context = super().get_context(request, *args, **kwargs)
        context.update(resource_index_context(self, request))
        return context


class ResourcePage(Page):
    """Fields and behaviour every Resource Center content page shares (abstract)."""

    summary = models.TextField(blank=True, max_length=500, help_text="One or two sentences.")
    product_area = models.ForeignKey(
        ProductArea, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tags = ClusterTaggableManager(through=ResourcePageTag, blank=True)
    last_reviewed = models.DateField(
        null=True,
        blank=True,
        help_text=(
            "When someone last checked that this page is still correct. Readers see it; pages "
            "not reviewed for a year are flagged and listed in Reports > Pages due for review."
        ),
    )
    body = StreamField(BaseStreamBlock(), blank=True)
    source_path = models.CharField(
        max_length=500,
        blank=True,
        db_index=True,
        editable=False,
        help_text="Set by the docs importer: the file this page was imported from.",
    )
    unlisted = models.BooleanField(
        default=False,
        help_text=(
            "Reachable by its address, but left out of section listings, previous/next links, "
            "the sitemap and search (imported docs' 'unlisted: true')."
        ),
    )

    search_kind = "guide"  # the search document's `kind`

    metadata_panels = [
        MultiFieldPanel(
            [
                FieldPanel("summary"),
                FieldPanel("product_area"),
                FieldPanel("tags"),
                FieldPanel("last_reviewed"),
            ],
            heading="About this page",
        )
    ]
    content_panels = Page.content_panels + metadata_panels + [FieldPanel("body")]
    promote_panels = Page.promote_panels + [FieldPanel("unlisted")]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("product_area"),
    ]
    parent_page_types = ["kb.ResourceIndexPage", "resourcecenter.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        abstract = True

    listing_kind = "guide"  # the listing filter's kind (see LISTING_KINDS)

    @property
    def kind_label(self) -> str:
        return LISTING_KIND_LABELS.get(self.listing_kind, "Article")

    @cached_property
    def headings(self) -> list[dict]:
        """Table of contents entries built from the body's heading blocks.

        Anchors are unique within the page: a repeated anchor gets "-2", "-3"... The unique
        anchor is stored on the block value, so the rendered heading ids match the contents.
        """
        entries = []
        seen: set[str] = set()
        for block in self.body:
            if block.block_type != "heading":
                continue
            block.value.pop("_anchor", None)
            base = heading_anchor(block.value)
            anchor, n = base, 1
            while anchor in seen:
                n += 1
                anchor = f"{base}-{n}"
            seen.add(anchor)
            block.value["_anchor"] = anchor
            entries.append(
                {"text": block.value["text"], "level": block.value["level"], "anchor": anchor}
            )
        return entries

    @cached_property
    def share_image(self) -> dict | None:
        """The first image of the body with its alternative text, for link previews."""
        for block in self.body:
            if block.block_type == "image" and block.value.get("image") is not None:
                value = block.value
                alt = value.get("alt_text") or value.get("caption") or value["image"].title
                return {"image": value["image"], "alt": alt}
        return None

    @property
    def review_overdue(self) -> bool:
        """True when the page was last reviewed more than a year ago."""
        if not self.last_reviewed:
            return False
        return timezone.localdate() - self.last_reviewed > REVIEW_INTERVAL

    def get_context(self, request, *args, **kwargs):
        from kb.page_context import resource_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(resource_page_context(self, request))
        if not getattr(request, "is_preview", False):
            journeys.record(request, HelpEvent.ARTICLE)  # for the deflection figure
        return context

    def get_sitemap_urls(self, request=None):
        """Only pages everyone may read belong in the sitemap (plan-gated pages do not)."""
        from resourcecenter import access

        if self.unlisted or list(access.page_audience(self)) != [access.PUBLIC]:
            return []
        return super().get_sitemap_urls(request)


class ArticlePage(ResourcePage):
    """Tutorials, guides, API key guides and support topics: prose with code and callouts."""

    class Kind(models.TextChoices):
        TUTORIAL = "tutorial", "Tutorial"
        GUIDE = "guide", "Guide"
        API_KEY_GUIDE = "api_key_guide", "API key guide"
        SUPPORT_TOPIC = "support_topic", "Support topic"

    class Difficulty(models.TextChoices):
        BEGINNER = "beginner", "Beginner"
        INTERMEDIATE = "intermediate", "Intermediate"
        ADVANCED = "advanced", "Advanced"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.GUIDE)
    difficulty = models.CharField(
        max_length=20, choices=Difficulty.choices, default=Difficulty.BEGINNER
    )

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("kind"),
                FieldPanel("difficulty"),
                FieldPanel("summary"),
                FieldPanel("product_area"),
                FieldPanel("tags"),
                FieldPanel("last_reviewed"),
            ],
            heading="About this article",
        ),
        FieldPanel("body"),
    ]
    search_fields = ResourcePage.search_fields + [index.FilterField("kind")]

    @property
    def search_kind(self) -> str:
        return {"api_key_guide": "guide"}.get(self.kind, self.kind)

    @property
    def listing_kind(self) -> str:
        return self.kind

    class Meta:
        verbose_name = "article"


class CodeSamplePage(ResourcePage):
    """One task shown in several languages."""

    task = models.CharField(max_length=250, blank=True, help_text="What the sample does.")
    search_kind = "code_sample"
    listing_kind = "code_sample"

    content_panels = (
        Page.content_panels
        + [FieldPanel("task")]
        + ResourcePage.metadata_panels
        + [FieldPanel("body")]
    )
    search_fields = ResourcePage.search_fields + [index.SearchField("task")]


class VideoPage(ResourcePage):
    """A training video with chapters and a full, searchable transcript."""

    video_url = models.URLField(help_text="YouTube or Vimeo address")
    duration = models.DurationField(null=True, blank=True, help_text="hh:mm:ss")
    chapters = StreamField([("chapter", ChapterBlock())], blank=True)
    transcript = models.TextField(blank=True)
    search_kind = "video"
    listing_kind = "video"

    content_panels = (
        Page.content_panels
        + [
            FieldPanel("video_url"),
            FieldPanel("duration"),
        ]
        + ResourcePage.metadata_panels
        + [
            FieldPanel("chapters"),
            FieldPanel("body"),
            FieldPanel("transcript"),
        ]
    )
    search_fields = ResourcePage.search_fields + [index.SearchField("transcript")]

    class Meta:
        verbose_name = "training video"

    @property
    def embed_url(self) -> str | None:
        """The privacy-friendly player address, or None when the URL is not YouTube/Vimeo."""
        return video_embed_url(self.video_url)

    @property
    def duration_display(self) -> str:
        """The duration as h:mm:ss or m:ss."""
        if not self.duration:
            return ""
        total = int(self.duration.total_seconds())
        hours, rest = divmod(total, 3600)
        minutes, seconds = divmod(rest, 60)
        if hours:
            return f"{hours}:{minutes:02d}:{seconds:02d}"
        return f"{minutes}:{seconds:02d}"

    @property
    def duration_iso(self) -> str:
        """The duration as ISO 8601 (PT1M30S) for the <time> element."""
        if not self.duration:
            return ""
        total = int(self.duration.total_seconds())
        hours, rest = divmod(total, 3600)
        minutes, seconds = divmod(rest, 60)
        return f"PT{hours}H{minutes}M{seconds}S"

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.video_url and not video_embed_url(self.video_url):
            raise ValidationError(
                {
                    "video_url": "Use a YouTube (youtube.com/watch?v=..., youtu.be/...) or Vimeo "
                    "(vimeo.com/123456) address."
                }
            )


class ArticleFeedback(models.Model):
    """One "Was this helpful?" vote: per user when signed in, else per session."""

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    session_key = models.CharField(max_length=64, blank=True)
    helpful = models.BooleanField()
    comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["page", "user"],
                condition=models.Q(user__isnull=False),
                name="kb_feedback_one_vote_per_user",
            ),
            models.UniqueConstraint(
                fields=["page", "session_key"],
                condition=models.Q(user__isnull=True) & ~models.Q(session_key=""),
                name="kb_feedback_one_vote_per_session",
            ),
        ]
        indexes = [models.Index(fields=["page", "helpful"])]

    def __str__(self) -> str:
        return f"{'helpful' if self.helpful else 'not helpful'} on page {self.page_id}"
