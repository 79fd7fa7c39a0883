"""Template helpers for Resource Center listings and pages."""

from django import template

from resourcecenter import access

register = template.Library()


@register.inclusion_tag("kb/includes/card.html", takes_context=True)
def resource_card(context, page, heading_level=3, show_section=False):
    """A listing card; pages decorated by `kb.selectors.decorate_listing` show area and tags.

    A page the viewer may not read (`page.locked`) shows its title and summary with the plan
    badge and no more, the same teaser as on the page itself.
    """
    return {
        "item": page,
        "heading_level": heading_level,
        "request": context.get("request"),
        "show_section": show_section,
        "upgrade_url": context.get("upgrade_url") or access.upgrade_url,
    }


@register.simple_tag
def kind_class(page) -> str:
    """A CSS class name for the page's kind badge."""
    return "kind-" + getattr(page, "listing_kind", "guide").replace("_", "-")
