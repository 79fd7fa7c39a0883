"""System checks of the search configuration (run by `manage.py check` and at server start)."""

from __future__ import annotations

from django.core import checks

from search.conf import app_settings
from search.engines import missing_clients_message, missing_cluster_clients


@checks.register(checks.Tags.compatibility)
def cluster_clients_installed(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """SEARCH_URL names a cluster: its client libraries (the `search` extra) must be installed."""
    url = app_settings.URL
    if not url or not missing_cluster_clients():
        return []
    return [checks.Error(missing_clients_message(url), id="search.E001")]
