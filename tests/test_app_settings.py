"""Each app's settings object: every setting documented, read when asked (never frozen)."""

from django.test import override_settings

import pytest

from forum.conf import app_settings as forum_settings
from search.conf import app_settings as search_settings

APP_SETTINGS = [(forum_settings, "FORUM_"), (search_settings, "SEARCH_")]


def _names(app_settings) -> list[str]:
    return [n for n, v in vars(type(app_settings)).items() if isinstance(v, property)]


@pytest.mark.parametrize(("app_settings", "prefix"), APP_SETTINGS)
def test_every_setting_says_what_it_does_and_its_default(app_settings, prefix):
    assert app_settings.prefix == prefix
    names = _names(app_settings)
    assert names
    for name in names:
        doc = getattr(type(app_settings), name).__doc__ or ""
        assert "Default" in doc, name


def test_settings_are_read_when_asked():
    assert forum_settings.POSTS_PER_PAGE == 20
    with override_settings(FORUM_POSTS_PER_PAGE=5, SEARCH_INDEX_PREFIX="other"):
        assert forum_settings.POSTS_PER_PAGE == 5
        assert search_settings.INDEX_PREFIX == "other"
    assert forum_settings.POSTS_PER_PAGE == 20
