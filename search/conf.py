"""The search app's settings, each with its default: `from search.conf import app_settings`.

Every property reads `django.conf.settings` when it is asked (never frozen at import), so a
deployment's settings and a test's override_settings both apply. In settings files the names
carry the prefix: `SEARCH_URL = "https://search.internal:9200"`.
"""

from __future__ import annotations

from django.conf import settings


class AppSettings:
    prefix = "SEARCH_"

    def _setting(self, name: str, default):
        return getattr(settings, self.prefix + name, default)

    @property
    def URL(self) -> str:
        """The Elasticsearch 8+/OpenSearch 2+ cluster to use (`https://user:pass@host:9200`;
        `opensearch+https://...` or `elasticsearch+https://...` names the flavour, otherwise
        the cluster is asked). Empty: the database's own full-text search (SQLite FTS5 or
        PostgreSQL). A cluster needs the `search` extra. Default ""."""
        return self._setting("URL", "") or ""

    @property
    def INDEX_PREFIX(self) -> str:
        """Prefix of the cluster's index and alias names (several sites can share a cluster).
        Default "resourcecenter"."""
        return self._setting("INDEX_PREFIX", "resourcecenter")


app_settings = AppSettings()
