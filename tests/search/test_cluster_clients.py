"""The cluster clients are an extra (`resourcecenter[search]`): without them, SEARCH_URL fails
with a message that says what to install, at start-up (system check) and on first use."""

import sys

from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured

import pytest

from search.engines import engine_for, missing_cluster_clients, reset_engines
from search.engines.database import DatabaseEngine

URL = "opensearch+https://indexer:s3cret@search.example.com:9200"


@pytest.fixture
def without_opensearch_client(monkeypatch):
    """As if opensearch-py were not installed (an import of it fails)."""
    for name in [m for m in sys.modules if m == "opensearchpy" or m.startswith("opensearchpy.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "opensearchpy", None)
    reset_engines()
    yield
    reset_engines()


def test_all_clients_are_installed_for_the_test_suite():
    assert missing_cluster_clients() == []


def test_search_url_without_the_clients_says_what_to_install(without_opensearch_client, settings):
    assert missing_cluster_clients() == ["opensearch-py"]
    settings.SEARCH_URL = URL
    with pytest.raises(ImproperlyConfigured) as raised:
        engine_for()
    message = str(raised.value)
    assert "missing: opensearch-py" in message
    assert 'pip install "resourcecenter[search]"' in message
    assert "s3cret" not in message  # credentials in the URL stay out of logs

    errors = [e for e in run_checks() if e.id == "search.E001"]
    assert [e.msg for e in errors] == [message]


def test_without_search_url_the_clients_are_not_needed(without_opensearch_client, settings):
    settings.SEARCH_URL = ""
    assert not [e for e in run_checks() if e.id == "search.E001"]
    assert isinstance(engine_for(), DatabaseEngine)
