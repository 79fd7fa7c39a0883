"""Fixtures shared by the whole suite. App-specific fixtures live in tests/<app>/conftest.py."""

import contextlib
import json
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
    """Rate-limit counters and cached gates live in the caches; no test may inherit another's.

    Every configured cache: the status page's copies are keyed by a generation that only a
    commit bumps, so a copy rendered by an earlier test in the same process was served as
    fresh to a later one (seen when the suite ran in one process, in another order)."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """The search engines are shared by every test of a process: a test that changes one's
    thresholds (`full_rank_max`, ...) for itself must put them back (monkeypatch), or every
    later test on that worker ranks and counts differently (seen as a statement count that
    failed only in some orders). Checked once the test's fixtures are torn down, so the
    leaking test is the one that fails."""
    yield
    from search.engines import _engines

    for key, engine in _engines.items():
        # the numeric settings (thresholds); an engine may learn other things on first use
        # (the cluster engine its flavour's name)
        changed = [
            name
            for name, value in vars(engine).items()
            if isinstance(getattr(type(engine), name, None), int | float)
            and getattr(type(engine), name) != value
        ]
        assert not changed, f"the shared {key} engine was left with {changed} changed"


@pytest.fixture
def apply_on_commit(django_capture_on_commit_callbacks):
    """Run the on-commit hooks (enqueue -> immediate task backend -> drain) like production:
    what an editor's publish or a member's post does to the search index."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


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


# axe-core checks every page a browser test loads (the site's own pages; the Wagtail admin is
# Wagtail's). It runs in the page after "load" and reports through an exposed binding; a
# serious or critical violation fails the test. The script comes from the axe-playwright-python
# package (not committed here).
AXE_FAILING_IMPACTS = ("serious", "critical")
AXE_SKIPPED_PATHS = ("/admin/", "/django-admin/")
AXE_RUNNER = """
(() => {
  if (window.top !== window || !window.axe) return;
  const skipped = %(skipped)s;
  if (location.protocol === "about:" || skipped.some((p) => location.pathname.startsWith(p))) {
    return;
  }
  let finish;
  window.__axeDone = new Promise((resolve) => { finish = resolve; });
  const run = () => window.axe.run(document, {resultTypes: ["violations"]}).then((result) => {
    const failing = result.violations.filter((v) => %(impacts)s.includes(v.impact));
    return window.__axeReport({
      url: location.href,
      violations: failing.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
      })),
    });
  }).catch((error) => window.__axeReport({url: location.href, error: String(error)}))
    .finally(finish);
  window.addEventListener("load", () => setTimeout(run, 50));
})();
"""


@pytest.fixture(scope="session")
def axe_script():
    from pathlib import Path

    import axe_playwright_python

    source = Path(axe_playwright_python.__file__).with_name("axe.min.js").read_text()
    runner = AXE_RUNNER % {
        "skipped": json.dumps(AXE_SKIPPED_PATHS),
        "impacts": json.dumps(AXE_FAILING_IMPACTS),
    }
    return source + "\n" + runner


def axe_failures(reports) -> list[str]:
    lines = []
    for report in reports:
        if report.get("error"):
            lines.append(f"{report['url']}: axe could not run: {report['error']}")
        for violation in report.get("violations", []):
            lines.append(
                f"{report['url']}: {violation['impact']} {violation['id']} "
                f"({violation['help']}) at {violation['nodes']}"
            )
    return lines


def _new_page(browser, axe_script, viewport):
    """A fresh browser page that records console errors, uncaught exceptions and axe reports."""
    context = browser.new_context(viewport=viewport)
    browser_page = context.new_page()
    browser_page.axe_reports = []
    context.expose_binding(
        "__axeReport", lambda _source, report: browser_page.axe_reports.append(report)
    )
    context.add_init_script(axe_script)
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
    browser_page.in_flight, browser_page.aborted = in_flight, aborted
    return browser_page


def _close_page(browser_page):
    """Collect the last page's accessibility report, then close the page (see `page`)."""
    from playwright.sync_api import Error as PlaywrightError

    with contextlib.suppress(PlaywrightError):
        browser_page.evaluate(
            "() => Promise.race([window.__axeDone, new Promise((r) => setTimeout(r, 10000))])"
        )
    context, in_flight, aborted = browser_page.context, browser_page.in_flight, browser_page.aborted
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
    failures = axe_failures(browser_page.axe_reports)
    if failures:
        pytest.fail("axe-core found serious or critical problems:\n" + "\n".join(failures))


@pytest.fixture
def page(browser, axe_script):
    """A fresh desktop-sized browser page (console errors, exceptions and axe reports kept)."""
    browser_page = _new_page(browser, axe_script, {"width": 1280, "height": 900})
    yield browser_page
    _close_page(browser_page)


@pytest.fixture
def phone_page(browser, axe_script):
    """The same at a phone's width (390 CSS pixels, like an iPhone 12-15)."""
    browser_page = _new_page(browser, axe_script, {"width": 390, "height": 844})
    yield browser_page
    _close_page(browser_page)
