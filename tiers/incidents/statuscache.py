"""The status page's cache: fast when the database is well, still up when it is not.

Every rendered status page (HTML, JSON, feed) is stored under the current *generation*; a
change to a component, incident, incident update or maintenance window bumps the generation
when its transaction commits (`connect()` wires the signals), so the next request renders
afresh - exactly then, and not on unrelated writes such as subscriptions or e-mail logs.
Rendered pages also expire when the clock alone changes them (`selectors.next_change`).

Each render is also kept as the *last good copy* of its page, with no expiry. When the
database fails while a page is rendered, that copy is served (marked stale); while one
request re-renders a page, concurrent ones get the last copy instead of piling onto the
database. The cache alias (`TIERS_STATUS_CACHE_ALIAS`) must not be the database cache.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import caches
from django.db import DatabaseError, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from tiers.conf import app_settings

logger = logging.getLogger(__name__)
GENERATION_KEY = "status:generation"
BUILD_LOCK_SECONDS = 30


@dataclass
class Rendered:
    content: str
    content_type: str
    stale: bool = False


class Unavailable(Exception):
    """The database failed and no copy of the page was ever rendered."""


def _cache():
    return caches[app_settings.STATUS_CACHE_ALIAS]


def generation() -> int:
    cache = _cache()
    value = cache.get(GENERATION_KEY)
    if value is None:
        # A new generation per cache start, so copies left by an earlier process under a
        # reused number are never taken for fresh ones.
        value = int(timezone.now().timestamp() * 1000)
        cache.add(GENERATION_KEY, value, None)
        value = cache.get(GENERATION_KEY, value)
    return value


def invalidate() -> None:
    """Make every rendered status page stale (the last good copies stay for emergencies)."""
    cache = _cache()
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, int(timezone.now().timestamp() * 1000), None)


def get_or_render(
    key: str,
    render: Callable[[], tuple[str, str] | None],
    *,
    expires: Callable[[], dt.datetime],
) -> Rendered | None:
    """The page `key`: fresh from the cache, rendered now, or the last good copy.

    `render()` returns (content, content_type), or None when there is no such page (not
    cached, so made-up keys cannot fill the cache), and may raise DatabaseError; `expires()`
    says when the page would change by the clock alone (asked only after a render).
    """
    cache = _cache()
    current = generation()
    fresh_key, last_key = f"status:{current}:{key}", f"status:last:{key}"
    fresh = cache.get(fresh_key)
    if fresh is not None:
        return Rendered(*fresh)
    last = cache.get(last_key)
    building_key = f"status:building:{current}:{key}"
    building = cache.add(building_key, 1, BUILD_LOCK_SECONDS)
    if last is not None and not building:
        return Rendered(*last, stale=True)  # someone is rendering it right now
    try:
        rendered = render()
        if rendered is None:
            return None
        content, content_type = rendered
        seconds = (expires() - timezone.now()).total_seconds()
    except DatabaseError:
        logger.exception("status page %s served from the last good copy", key)
        if last is None:
            raise Unavailable(key) from None
        return Rendered(*last, stale=True)
    finally:
        if building:
            cache.delete(building_key)
    timeout = max(1, min(app_settings.STATUS_CACHE_SECONDS, int(seconds)))
    cache.set(fresh_key, (content, content_type), timeout)
    cache.set(last_key, (content, content_type), None)
    return Rendered(content, content_type)


def _changed(sender, **kwargs) -> None:
    transaction.on_commit(invalidate)


def connect() -> None:
    """Invalidate on commit of any change the status page shows."""
    from tiers.incidents.models import (
        Component,
        IncidentComponent,
        MaintenanceWindow,
        ProblemUpdate,
        ServiceProblem,
    )

    for model in (Component, ServiceProblem, IncidentComponent, ProblemUpdate, MaintenanceWindow):
        uid = f"status-cache-{model._meta.model_name}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=uid + "-delete")
    m2m_changed.connect(
        _changed,
        sender=MaintenanceWindow.components.through,
        dispatch_uid="status-cache-maintenance-components",
    )
