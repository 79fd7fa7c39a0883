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

    @property
    def DENSE(self) -> bool:
        """The hybrid ranking: the lexical engine's first `DENSE_CANDIDATES` hits re-ordered by
        reciprocal-rank fusion with the cosine similarity of text vectors (see
        search/RANKING.md). Vectors are computed when documents are indexed. Default True
        (off by itself when `DENSE_MODEL` is not installed)."""
        return bool(self._setting("DENSE", True))

    @property
    def DENSE_MODEL(self) -> str:
        """ "wordllama": WordLlama's static vectors from the `wordllama` package (a dependency;
        a query's vector costs a table lookup). Or a folder holding an all-MiniLM-L6-v2-style
        BERT model (config.json, vocab.txt, model.safetensors), or an installed package that
        ships one in its `model` folder (10-70 ms per query: too slow for the type-ahead on a
        small machine). Nothing is downloaded. Default "wordllama"."""
        return self._setting("DENSE_MODEL", "wordllama") or ""

    @property
    def DENSE_CANDIDATES(self) -> int:
        """How many lexical hits the dense ranking re-orders (first pages only). Default 50: on
        the real sets' tuning parts the answer to a question is often 20th-40th lexically."""
        return int(self._setting("DENSE_CANDIDATES", 50))

    @property
    def DENSE_WEIGHT(self) -> float:
        """Weight of the dense ranking in the fusion (the lexical ranking weighs 1). Default 0.7,
        tuned for WordLlama on the real sets' tuning parts (0.5 / 0.7 / 1.0 / 1.4); the
        MiniLM model was tuned at 1.0."""
        return float(self._setting("DENSE_WEIGHT", 0.7))


app_settings = AppSettings()
