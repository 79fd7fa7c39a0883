"""Service notices: the banner that says "there is an incident, here is what we know, follow
it" wherever a customer is about to search or ask (home page, search results, the forum's ask
form, the ticket form).

The core cannot know incidents (they live in tiers, above kb, forum and search), so, as with
the access interface, one provider is registered at start-up (`register()` from an
`AppConfig.ready()`) and templates ask through the `{% service_notices %}` tag
(resourcecenter.templatetags.notices). Without a provider there are no notices.

A provider takes the request and returns a list of `Notice`; it must be cheap (cached, a
bounded number of queries) and must never raise for a database outage: a page never fails
because its banner could not be built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Notice:
    """One open incident, as the banner shows it."""

    title: str
    status: str  # "Investigating", "Identified", ...
    impact: str  # "Critical", "Operational", "General"
    known: str  # the latest update customers were given
    since: str  # ISO 8601 start time
    url: str  # where to read everything (the status page's incident page)
    follow_url: str  # where to subscribe to its updates
    key: int = 0  # the incident's id, for "attach my case" links


Provider = Callable[[object], list[Notice]]
_provider: Provider | None = None


def register(provider: Provider) -> None:
    """Plug in the provider (called once, from the implementing app's `AppConfig.ready()`)."""
    global _provider
    _provider = provider


def current(request) -> list[Notice]:
    """The notices for this request (none without a provider)."""
    return _provider(request) if _provider is not None else []
