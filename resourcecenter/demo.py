"""Demo site root and logins. Other apps' demo modules build on these."""

from django.contrib.auth.models import Group
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from wagtail.models import Page, Site

from resourcecenter.models import HomePage, User
from resourcecenter.roles import (
    ANALYSTS_GROUP,
    COMMUNITY_MODERATORS_GROUP,
    EDITORS_GROUP,
    LEADS_GROUP,
)

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed on screen for the local demo only

DEMO_USERS = [
    # e-mail, display name, is_staff, is_superuser, groups (the roles: resourcecenter.roles).
    # Only the site admin has is_staff (Django's own admin); it grants no support power.
    ("admin@example.com", "Site admin", True, True, []),
    ("staff@example.com", "Dana (Support)", False, False, [ANALYSTS_GROUP]),
    ("lead@example.com", "Lee (Support lead)", False, False, [LEADS_GROUP]),
    ("moderator@example.com", "Mo (Moderator)", False, False, [COMMUNITY_MODERATORS_GROUP]),
    ("editor@example.com", "Eli (Editor)", False, False, [EDITORS_GROUP]),
    ("member@example.com", "Morgan", False, False, []),
]


class DemoUserConflict(CommandError):
    """A demo login cannot be created as specified (load_demo prints the message, no traceback)."""


def ensure_user(
    email: str,
    display_name: str,
    *,
    is_staff=False,
    is_superuser=False,
    groups=(),
    password: str = DEMO_PASSWORD,
) -> User:
    from allauth.account.models import EmailAddress

    existing = User.objects.filter(email__iexact=email).first()
    if existing is None and User.objects.display_name_taken(display_name):
        raise DemoUserConflict(
            f"Cannot create the demo user {email}: the display name “{display_name}” is already "
            "used by another account. Rename that account (Wagtail admin > Users) and run "
            "load_demo again."
        )
    try:
        with transaction.atomic():
            user, created = User.objects.get_or_create(
                email=email,
                defaults={
                    "display_name": display_name,
                    "is_staff": is_staff,
                    "is_superuser": is_superuser,
                },
            )
    except IntegrityError as exc:  # another process took the name between check and insert
        raise DemoUserConflict(
            f"Cannot create the demo user {email}: the display name “{display_name}” was just "
            "taken by another account. Run load_demo again."
        ) from exc
    if created:
        user.set_password(password)
        user.save()
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _create_tree_root() -> Page:
    """Recreate Wagtail's tree root and default locale (normally made by its migrations), for
    databases that were flushed, as transactional tests do."""
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType

    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Locale

    ContentType.objects.clear_cache()  # ids change when a flush recreates content types
    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    return Page.add_root(
        instance=Page(
            title="Root", slug="root", content_type=ContentType.objects.get_for_model(Page)
        )
    )


def ensure_home_page() -> HomePage:
    """Make a HomePage the default site's root, replacing Wagtail's placeholder welcome page."""
    home = HomePage.objects.first()
    if home:
        return home
    root = Page.get_first_root_node() or _create_tree_root()
    for placeholder in root.get_children().filter(content_type__model="page"):
        if not placeholder.get_children().exists():
            Site.objects.filter(root_page=placeholder).delete()
            placeholder.delete()
    home = root.add_child(
        instance=HomePage(
            title="Resource Center",
            slug="home",
            hero_title="How can we help?",
            hero_text="Guides, API references, code samples and training videos for running "
            "cellular IoT devices, and a community of engineers who run them too.",
        )
    )
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={
            "hostname": "127.0.0.1",
            "port": 8000,
            "root_page": home,
            "site_name": "Resource Center",
        },
    )
    return home


def load(stdout, style) -> None:
    ensure_home_page()
    for email, name, is_staff, is_superuser, groups in DEMO_USERS:
        ensure_user(email, name, is_staff=is_staff, is_superuser=is_superuser, groups=groups)
    stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for email, name, *_ in DEMO_USERS:
        stdout.write(f"  {email:24} {name}")
