"""`{% service_notices %}`: the incident banner (resourcecenter.notices), for any template."""

from django import template
from django.utils.dateparse import parse_datetime

from resourcecenter import notices

register = template.Library()


@register.inclusion_tag("resourcecenter/_service_notices.html", takes_context=True)
def service_notices(context, attach_url: str = ""):
    """The open incidents; `attach_url` (the ticket form) adds "attach my case" links."""
    request = context.get("request")
    items = notices.current(request) if request is not None else []
    return {
        "notices": [(notice, parse_datetime(notice.since)) for notice in items],
        "attach_url": attach_url,
    }
