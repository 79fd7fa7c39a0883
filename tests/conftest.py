"""Fixtures shared by the whole suite. App-specific fixtures live in tests/<app>/conftest.py."""

import contextlib
import os
import shutil
import time

from django.db import connection

import pytest

from resourcecenter.demo import ensure_home_page

# Playwright's sync API runs an event loop in the test thread; Django would then refuse
# synchronous ORM calls made by the test itself.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="session", autouse=True)
def _own_media_root(tmp_path_factory):
    """Uploads and generated files (demo images, diagrams) go to a folder of this test process:
    never into var/media, and never shared between pytest-xdist workers running at once."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached gates live in the cache; no test may inherit another's."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user_factory(db):
    from allauth.account.models import EmailAddress

    from resourcecenter.models import User

    counter = {"n": 0}

    def make(email=None, password="correct-horse-battery", verified=True, **extra):  # noqa: S107
        counter["n"] += 1
        email = email or f"user{counter['n']}@example.com"
        user = User.objects.create_user(email=email, password=password, **extra)
        EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
        return user

    return make


@pytest.fixture
def member(user_factory):
    return user_factory(email="member@example.com", display_name="Morgan")


@pytest.fixture
def staff_user(user_factory):
    """A support analyst (the role; `is_staff` alone would grant nothing)."""
    from django.contrib.auth.models import Group

    from resourcecenter.roles import ANALYSTS_GROUP

    user = user_factory(email="staff@example.com", display_name="Dana")
    user.groups.add(Group.objects.get_or_create(name=ANALYSTS_GROUP)[0])
    return user


@pytest.fixture
def superuser(user_factory):
    return user_factory(
        email="admin@example.com", display_name="Admin", is_staff=True, is_superuser=True
    )


@pytest.fixture
def home_page(db):
    return ensure_home_page()


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass of make test")


@pytest.fixture(scope="session")
def chromium_path():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Debian's chromium is required for browser tests (make system-deps)")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser page that records console errors and uncaught exceptions."""
    from playwright.sync_api import Error as PlaywrightError

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    browser_page = context.new_page()
    browser_page.console_errors = []
    browser_page.on(
        "console",
        lambda msg: browser_page.console_errors.append(msg.text) if msg.type == "error" else None,
    )
    browser_page.on("pageerror", lambda exc: browser_page.console_errors.append(str(exc)))
    in_flight, aborted = set(), []
    browser_page.on("request", lambda request: in_flight.add(request))
    browser_page.on("requestfinished", lambda request: in_flight.discard(request))
    browser_page.on(
        "requestfailed", lambda request: (in_flight.discard(request), aborted.append(request))
    )
    yield browser_page
    # A request still running on the live server when the test's database is flushed (the
    # Wagtail editor writes an editing-session ping as it loads) locks SQLite's tables and
    # fails the flush. Let what the page started finish, stop its scripts, and give a request
    # cut off by leaving the page (the server does not notice) time to end.
    deadline = time.monotonic() + 10
    while in_flight and time.monotonic() < deadline:
        browser_page.wait_for_timeout(50)
    aborted.clear()
    with contextlib.suppress(PlaywrightError):  # a closed or crashed page starts nothing more
        browser_page.goto("about:blank")
    if aborted:
        time.sleep(1)
    context.close()
