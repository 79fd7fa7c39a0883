"""The browser tests' accessibility check (tests/conftest.py) really runs axe-core on each page
loaded and really reports a serious problem; otherwise every browser test's pass would mean
nothing about accessibility."""

import pytest

from tests.conftest import _new_page, axe_failures

pytestmark = pytest.mark.browser

BROKEN = (
    "<!doctype html><html lang='en'><head><title>t</title></head><body><main>"
    "<img src='/x.png'><button></button></main></body></html>"
)
FINE = (
    "<!doctype html><html lang='en'><head><title>t</title></head><body><main>"
    "<h1>Fine</h1><img src='/x.png' alt='A router'></main></body></html>"
)


def test_axe_reports_serious_problems_of_every_page_loaded(browser, axe_script):
    page = _new_page(browser, axe_script, {"width": 1280, "height": 900})
    try:
        page.route(
            "http://site.test/broken/",
            lambda route: route.fulfill(body=BROKEN, content_type="text/html"),
        )
        page.route(
            "http://site.test/fine/",
            lambda route: route.fulfill(body=FINE, content_type="text/html"),
        )
        page.route("http://site.test/x.png", lambda route: route.fulfill(status=404))
        page.goto("http://site.test/broken/")
        page.evaluate("() => window.__axeDone")
        page.goto("http://site.test/fine/")
        page.evaluate("() => window.__axeDone")
        failures = axe_failures(page.axe_reports)
        assert [r["url"] for r in page.axe_reports] == [
            "http://site.test/broken/",
            "http://site.test/fine/",
        ]
        assert any("image-alt" in line for line in failures), failures
        assert any("button-name" in line for line in failures), failures
        assert not any("/fine/" in line for line in failures), failures
    finally:
        page.context.close()
