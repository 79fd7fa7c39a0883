"""`{% site_userbar %}`: Wagtail's user bar, kept per user off Wagtail pages.

On a page that is not a Wagtail page (the Community, search, tickets) the user bar only offers
"Go to Wagtail admin" and the accessibility checker: the same HTML on every such page for one
user, host and language. Rendering it (components, icons, the user's admin profile - two
queries) cost a third of a staff member's forum page, so it is kept under the content
generation (resourcecenter.pagecache): a change to the user's groups, permissions or admin
profile is a tracked write and moves it. On a Wagtail page, in a preview or a revision the
items depend on the page: rendered afresh by Wagtail's own tag.
"""

import hashlib

from django import template
from django.core.cache import cache
from django.utils import translation
from django.utils.safestring import mark_safe

from wagtail.admin.templatetags.wagtailuserbar import get_page_instance, wagtailuserbar

from resourcecenter import pagecache

register = template.Library()


@register.simple_tag(takes_context=True)
def site_userbar(context, position: str = "bottom-right"):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("wagtailadmin.access_admin"):
        return ""
    now = pagecache.current_generation()
    if (
        now is None
        or get_page_instance(context) is not None
        or getattr(request, "in_preview_panel", False)
        or hasattr(request, "revision_id")
    ):
        return wagtailuserbar(context, position)
    raw = repr((now, user.pk, request.scheme, request.get_host(), translation.get_language()))
    key = "userbar:" + hashlib.sha256(f"{raw}|{position}".encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        html = str(wagtailuserbar(context, position))
        cache.set(key, html, pagecache.PAGE_TTL)
    return mark_safe(html)  # noqa: S308 - Wagtail's own rendering, kept as it was
