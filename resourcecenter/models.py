"""The site itself: the user model, the home page and site-wide support settings."""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Lower

from wagtail import hooks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index


class UserManager(BaseUserManager):
    """Users log in by e-mail; there is no username."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        """A superuser (`manage.py createsuperuser`) with a verified, primary e-mail address.

        The address was typed by someone with shell access to the server, which is as strong a
        proof as a confirmation link; without the row the first login would stop at "confirm
        your e-mail" (verification is mandatory) and allauth's e-mail pages would be empty.
        """
        from allauth.account.models import EmailAddress

        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        user = self._create_user(email, password, **extra_fields)
        EmailAddress.objects.using(self._db).update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        return user

    def display_name_taken(self, name: str, *, exclude_pk: int | None = None) -> bool:
        """Whether another account uses `name` - compared exactly as the database constraint
        compares (LOWER() of the stored name; empty names are never "taken")."""
        if not name:
            return False
        taken = (
            self.exclude(display_name="")
            .annotate(display_name_lower=Lower("display_name"))
            .filter(display_name_lower=Lower(Value(name)))
        )
        if exclude_pk is not None:
            taken = taken.exclude(pk=exclude_pk)
        return taken.exists()

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


DISPLAY_NAME_CONSTRAINT = "resourcecenter_user_display_name_ci_unique"
DISPLAY_NAME_TAKEN = "That display name is taken; please choose another."


class User(AbstractUser):
    """A person: customer, community member, support analyst or editor.

    Identified by e-mail (unique, case-insensitive); `display_name` is what the community sees,
    so e-mail addresses are never shown publicly.
    """

    username = None
    email = models.EmailField("e-mail address", unique=True)
    display_name = models.CharField(
        max_length=60, blank=True, help_text="Shown next to your posts instead of your e-mail."
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        constraints = [
            # Two members must not look alike: display names are unique ignoring case. Empty
            # means "not chosen" (the public name falls back) and may repeat.
            models.UniqueConstraint(
                Lower("display_name"),
                condition=~Q(display_name=""),
                name=DISPLAY_NAME_CONSTRAINT,
                violation_error_code="display_name_taken",
                violation_error_message=DISPLAY_NAME_TAKEN,
            )
        ]

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        if self.display_name:
            return self.display_name
        full = self.get_full_name()
        if full:
            return full
        return self.email.split("@", 1)[0] if self.email else f"user {self.pk}"

    def save(self, *args, **kwargs):
        if self.email:
            self.email = self.email.lower()
        super().save(*args, **kwargs)


HOME_PAGE_CONTEXT_HOOK = "resourcecenter_home_page_context"


class HomePage(Page):
    """The Resource Center's front door: a hero, the sections, and what is new."""

    hero_title = models.CharField(max_length=120, default="How can we help?")
    hero_text = models.TextField(blank=True)
    body = RichTextField(blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel([FieldPanel("hero_title"), FieldPanel("hero_text")], heading="Hero"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("hero_text"), index.SearchField("body")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["kb.ResourceIndexPage", "kb.ArticlePage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The listings belong to the apps above the core (kb lists the sections and what is new):
        # each adds its part through this hook, registered in its wagtail_hooks.py.
        for add_context in hooks.get_hooks(HOME_PAGE_CONTEXT_HOOK):
            context.update(add_context(self, request))
        return context


@register_setting(icon="help")
class SupportSettings(BaseGenericSetting):
    """Site-wide support facts shown in the footer and on contact pages; edited in the admin."""

    support_email = models.EmailField(default="support@example.com")
    support_phone = models.CharField(max_length=40, blank=True, default="+1 800 555 0100")
    hours_summary = models.CharField(
        max_length=200,
        default="Infinity: 24x7 for Severity 1-2. Severity 3-4: 8AM-8PM Mon-Fri "
        "(US Central and Central European time).",
    )
    status_page_url = models.URLField(blank=True)

    panels = [
        FieldPanel("support_email"),
        FieldPanel("support_phone"),
        FieldPanel("hours_summary"),
        FieldPanel("status_page_url"),
    ]

    class Meta:
        verbose_name = "support settings"


class HelpEvent(models.Model):
    """A signed-in person helped themselves: one search made or one Resource Center page read.

    The staff dashboard's deflection figure is built from these and the tickets people opened
    (`resourcecenter.journeys` defines it). No user is stored: `visitor` is a keyed hash of the
    user's id, so a row says "the same person" within the log and nothing more.
    """

    SEARCH = "search"
    ARTICLE = "article"
    KIND_CHOICES = [(SEARCH, "Search"), (ARTICLE, "Resource Center page")]

    visitor = models.CharField(max_length=32)
    kind = models.CharField(max_length=10, choices=KIND_CHOICES)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["visitor", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} at {self.created_at:%Y-%m-%d %H:%M}"
