"""Page links in rich text that point at a heading: `<a linktype="page" id="3" anchor="limits">`.

Wagtail's own page links carry only the page id, so a link to a heading on another page would
have to be stored as a fixed URL and break when the page moves or is renamed. This keeps the
page id (the link follows the page) and adds the heading's anchor:

- on the site, `AnchoredPageLinkHandler` renders `href="<page url>#<anchor>"`;
- in the page editor (Draftail), the anchor rides along in the link's entity data, so saving a
  page without touching the link keeps it; the link's tooltip shows the page URL with the anchor.

The docs importer writes such links for `other.md#heading`. Anchors are restricted to the
characters heading ids use, so nothing else can be smuggled into the href.
"""

from __future__ import annotations

import re

from django.utils.html import escape

from wagtail.admin.rich_text.converters.html_to_contentstate import (
    ExternalLinkElementHandler,
    PageLinkElementHandler,
)
from wagtail.rich_text.pages import PageLinkHandler
from wagtail.whitelist import check_url

from draftjs_exporter.dom import DOM

ANCHOR_MAX = 80
_ANCHOR = re.compile(rf"^[A-Za-z0-9_][A-Za-z0-9_.:-]{{0,{ANCHOR_MAX - 1}}}$")


def clean_anchor(anchor) -> str:
    """`anchor` without a leading '#' if it is a plain heading id, else ""."""
    anchor = str(anchor or "").strip().lstrip("#")
    return anchor if _ANCHOR.match(anchor) else ""


def with_anchor(url, anchor) -> str | None:
    anchor = clean_anchor(anchor)
    if url is None or not anchor:
        return url
    return f"{url.split('#', 1)[0]}#{anchor}"


class AnchoredPageLinkHandler(PageLinkHandler):
    """Renders page links, adding `#anchor` when the link names a heading on the page."""

    @classmethod
    def expand_db_attributes_many(cls, attrs_list: list[dict]) -> list[str]:
        tags = []
        for attrs, page in zip(attrs_list, cls.get_many(attrs_list), strict=True):
            if page is None:
                tags.append("<a>")
                continue
            url = with_anchor(page.localized.url, attrs.get("anchor"))
            tags.append(f'<a href="{escape(url)}">')
        return tags


class AnchoredPageLinkElementHandler(PageLinkElementHandler):
    """Database HTML -> editor: keep the anchor in the link entity's data."""

    def get_attribute_data(self, attrs):
        data = super().get_attribute_data(attrs)
        anchor = clean_anchor(attrs.get("anchor"))
        if anchor:
            data["anchor"] = anchor
            data["url"] = with_anchor(data.get("url"), anchor)
        return data


def anchored_link_entity(props):
    """Editor -> database HTML: Wagtail's link entity, plus the anchor of a page link."""
    id_ = props.get("id")
    link_props = {}
    if id_ is not None:
        link_props["linktype"] = "page"
        link_props["id"] = id_
        anchor = clean_anchor(props.get("anchor"))
        if anchor:
            link_props["anchor"] = anchor
    else:
        link_props["href"] = check_url(props.get("url"))
    return DOM.create_element("a", link_props, props["children"])


def register(features) -> None:
    """Replace Wagtail's page link handling (front end and Draftail converter)."""
    features.register_link_type(AnchoredPageLinkHandler)
    features.register_converter_rule(
        "contentstate",
        "link",
        {
            "from_database_format": {
                "a[href]": ExternalLinkElementHandler("LINK"),
                'a[linktype="page"]': AnchoredPageLinkElementHandler("LINK"),
            },
            "to_database_format": {"entity_decorators": {"LINK": anchored_link_entity}},
        },
    )
    # (not get_editor_plugin: that would scan the hooks again from inside this hook)
    plugin = features.plugins_by_editor.get("draftail", {}).get("link")
    attributes = getattr(plugin, "data", {}).get("attributes")
    if isinstance(attributes, list) and "anchor" not in attributes:
        attributes.append("anchor")  # pasted links are filtered to these attributes
