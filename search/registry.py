"""Document providers: how each app turns its objects into search documents.

A provider says which models it covers, which index keys an object touches, how to build the
documents behind a key (None = the key's document must leave the index), how to iterate all
documents for a rebuild, and which signals tell search that something changed. Providers live
in `<app>/search_documents.py` and register themselves with `register`; `search` imports those
modules when Django starts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from importlib import import_module

from django.apps import apps

from search.documents import SearchDocument


class Provider:
    """Base class of a document provider (subclass and `register()` an instance)."""

    #: unique name stored in the outbox ("kb", "forum")
    name: str = ""
    #: the document kinds this provider produces
    kinds: tuple[str, ...] = ()

    def handles(self, obj) -> bool:
        """Whether `obj` (a model instance) concerns this provider's documents."""
        raise NotImplementedError

    def keys_for(self, obj) -> list[str]:
        """The keys to re-index when `obj` changed ("page:12", "category:3", ...)."""
        raise NotImplementedError

    def resolve(self, key: str) -> Iterable[tuple[str, SearchDocument | None]]:
        """(document id, current document or None when it must not be in the index)."""
        raise NotImplementedError

    def iter_documents(self, kind: str | None = None) -> Iterator[SearchDocument]:
        """Every document that belongs in the index now (for a rebuild)."""
        raise NotImplementedError

    def count(self, kind: str | None = None) -> int | None:
        """How many documents iter_documents will yield, for a progress bar (None = unknown)."""
        return None

    def popular_documents(self, limit: int) -> list[SearchDocument]:
        """A few well-liked documents to offer when a search finds nothing."""
        return []

    def connect_signals(self) -> None:
        """Connect the model signals that call search.indexing.schedule_reindex: the one way the
        index hears of a change (services save rows; they never call search themselves)."""


_providers: dict[str, Provider] = {}


def register(provider: Provider) -> Provider:
    if not provider.name:
        raise ValueError("a search provider needs a name")
    if provider.name not in _providers:
        _providers[provider.name] = provider
        provider.connect_signals()
    return provider


def providers() -> list[Provider]:
    return list(_providers.values())


def get_provider(name: str) -> Provider:
    try:
        return _providers[name]
    except KeyError:
        raise LookupError(f"no search provider named {name!r}") from None


def provider_for(obj) -> Provider | None:
    for provider in _providers.values():
        if provider.handles(obj):
            return provider
    return None


def providers_for_kind(kind: str | None) -> list[Provider]:
    if kind is None:
        return providers()
    return [p for p in _providers.values() if kind in p.kinds]


def autodiscover() -> None:
    """Import every installed app's `search_documents` module (it registers its provider)."""
    for config in apps.get_app_configs():
        module_name = f"{config.name}.search_documents"
        try:
            import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
