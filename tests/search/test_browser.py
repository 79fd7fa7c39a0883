"""The header type-ahead in a real browser: keyboard-operable combobox, no console errors."""

import pytest

from search.engines import get_engine
from tests.search.conftest import make_doc

pytestmark = pytest.mark.browser


def test_type_ahead_with_the_keyboard(live_server, page, transactional_db):
    get_engine().upsert(
        [
            make_doc("page:1", "Provisioning SIMs in bulk", "Upload a CSV to provision SIMs."),
            make_doc("page:2", "Provisioning errors explained", "What each error means."),
        ]
    )
    page.goto(f"{live_server.url}/search/?q=provisioning")
    assert page.locator(".result").count() == 2

    box = page.locator("#site-search")
    box.fill("")
    box.type("provis", delay=30)
    listbox = page.locator("#site-search-listbox")
    listbox.locator("[role=option]").first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("role") == "combobox"
    titles = listbox.locator(".suggest-title").all_inner_texts()
    assert sorted(titles) == ["Provisioning SIMs in bulk", "Provisioning errors explained"]

    box.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert active and page.locator(f"#{active}").get_attribute("aria-selected") == "true"
    box.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    box.press("ArrowDown")
    listbox.locator("[role=option]").first.wait_for()
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url("**/page/*/")
    assert page.console_errors == [] or all("404" in e for e in page.console_errors)
