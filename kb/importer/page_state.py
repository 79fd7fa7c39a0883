"""The fields and body an imported page should have, worked out from its converted document:
links resolved to page ids and anchors, front-matter fields checked against the page type."""

from __future__ import annotations

from django.utils.html import escape

from wagtail.models import Page

from kb.importer import pages as page_ops
from kb.importer.convert import ConvertedDoc
from kb.importer.doc_blocks import blocks_to_intro
from kb.importer.links import LinkRef, href_tag, page_anchor_tag, render_links
from kb.importer.pagetypes import content_model, kind_key, type_fields
from kb.importer.tree import DocNode, category_description
from kb.models import ArticlePage, ProductArea


class PageStateMixin:
    """Part of the import run (`service._ImportRun`): the desired state of one page. Uses the
    run's `parent`, `report`, `_areas`, `_urls`, `_title` and `_slug`."""

    def _desired_state(self, node: DocNode, page: Page, warn) -> tuple[dict, list[dict]]:
        doc: ConvertedDoc | None = node.doc
        title = self._title(node)
        parent = page.get_parent()
        slug = page_ops.unique_slug(parent, self._slug(node, title), page)
        if slug != self._slug(node, title) and (page.slug != slug or node.created):
            warn(
                f"the address '{self._slug(node, title)}' is already used under "
                f"'{parent.title}'; this page uses '{slug}'"
            )
        description = doc.meta.description if doc else category_description(node.category)
        if node.is_folder:
            intro = ""
            if doc is not None and node.overview is not None:
                # all of it is on the overview article; the section opens with its first lines
                first = next((b.value for b in doc.blocks if b.type == "paragraph"), "")
                intro = self._links(first, doc, node, warn)
            elif doc is not None:
                intro = self._links(blocks_to_intro(doc.blocks, warn), doc, node, warn)
            if not intro and description:
                intro = f"<p>{escape(description)}</p>"
            state = {
                "title": title,
                "slug": slug,
                "intro": intro,
                "search_description": description,
                "source_path": node.rel,
            }
            return state, []
        summary = doc.meta.description
        if len(summary) > 500:
            warn("description is longer than 500 characters; the summary was shortened")
            summary = summary[:497].rstrip() + "..."
        body_raw = self._body(doc, node, warn)
        state = {
            "title": title,
            "slug": slug,
            "summary": summary,
            "search_description": doc.meta.description,
            "last_reviewed": doc.meta.last_reviewed,
            "tags": sorted(doc.meta.tags),
            "body": page_ops.canonical_body(page_ops.stream_value(body_raw)),
            "source_path": node.rel,  # follows a rename from .md to .mdx
            "unlisted": doc.meta.unlisted,
        }
        state.update(self._optional_fields(doc, page, warn))
        return state, body_raw

    def _optional_fields(self, doc: ConvertedDoc, page: Page, warn) -> dict:
        """kind, difficulty and product area are set only when the front matter names them;
        otherwise an editor's choice stays. A code sample's or video's own fields always."""
        model = type(page)
        wanted = content_model(doc.meta)
        if wanted is not model:
            warn(
                f"front matter asks for a {wanted._meta.verbose_name} but the page is a "
                f"{model._meta.verbose_name}; its type is kept (delete the page to change it)"
            )
        fields = type_fields(model, doc.meta, doc.transcript)
        if doc.transcript and "transcript" not in fields:
            warn("<Transcript> belongs to a training video (kind: video); left out")
        if model is not ArticlePage:
            fields.update(self._area_field(doc, warn))
            return fields
        for name, choices in (
            ("kind", ArticlePage.Kind.choices),
            ("difficulty", ArticlePage.Difficulty.choices),
        ):
            wanted = getattr(doc.meta, name)
            if not wanted or (name == "kind" and kind_key(wanted) in ("code_sample", "video")):
                continue
            match = next(
                (
                    value
                    for value, label in choices
                    if wanted.casefold() in (value, label.casefold(), value.replace("_", " "))
                ),
                None,
            )
            if match is None:
                allowed = ", ".join(value for value, _ in choices)
                warn(f"front matter {name} '{wanted}' is not one of: {allowed}; ignored")
            else:
                fields[name] = match
        fields.update(self._area_field(doc, warn))
        return fields

    def _area_field(self, doc: ConvertedDoc, warn) -> dict:
        fields = {}
        if doc.meta.product_area:
            name = doc.meta.product_area
            if name not in self._areas:
                self._areas[name] = (
                    ProductArea.objects.filter(slug__iexact=name).first()
                    or ProductArea.objects.filter(name__iexact=name).first()
                )
            area = self._areas[name]
            if area is None:
                warn(
                    f"unknown product area '{doc.meta.product_area}'; add it in the admin "
                    "first (left empty)"
                )
            else:
                fields["product_area_id"] = area.pk
        return fields

    def _body(self, doc: ConvertedDoc, node: DocNode, warn) -> list[dict]:
        raw = []
        for block in doc.blocks:
            value = block.value
            if block.type == "paragraph":
                value = self._links(value, doc, node, warn)
            elif block.type == "callout":
                value = {**value, "body": self._links(value["body"], doc, node, warn)}
            elif block.type == "steps":
                steps = value["steps"]
                value = {
                    "steps": [
                        {**step, "body": self._links(step["body"], doc, node, warn)}
                        for step in steps
                    ]
                }
            elif block.type == "rich_table":
                rows = [
                    [self._links(cell, doc, node, warn) for cell in row] for row in value["rows"]
                ]
                value = {**value, "rows": rows}
            raw.append({"type": block.type, "value": value})
        return raw

    def _links(self, html: str, doc: ConvertedDoc, node: DocNode, warn) -> str:
        return render_links(html, doc.links, lambda ref: self._link(ref, doc, node, warn))

    def _link(self, ref: LinkRef, doc: ConvertedDoc, node: DocNode, warn) -> str | None:
        if ref.kind == "anchor":
            anchor = doc.anchors.get(ref.anchor) or doc.anchors.get(ref.anchor.lower())
            if anchor is None:
                warn(f"link '{ref.href}': no heading with that anchor in this document")
                anchor = ref.anchor
            return href_tag(f"#{anchor}")
        if ref.kind == "document":
            if ref.document_id is None:  # dry run: the file would be imported
                return '<a linktype="document" id="">'
            return f'<a linktype="document" id="{ref.document_id}">'
        if ref.kind == "parent":
            target_id, target_doc = self.parent.pk, None
        elif ref.anchor and ref.node.overview is not None and ref.node.overview.page_id:
            target_id, target_doc = ref.node.overview.page_id, ref.node.doc  # its headings
        else:
            target_id, target_doc = ref.node.page_id, ref.node.doc
        if target_id is None:
            message = (
                f"broken link '{ref.href}': the document it points to was not imported; "
                "the link was removed, its text kept"
            )
            warn(message)
            self.report.unresolved_links.append((node.source_rel, message))
            return None
        if not ref.anchor:
            return page_anchor_tag(target_id)
        anchors = target_doc.anchors if isinstance(target_doc, ConvertedDoc) else {}
        anchor = anchors.get(ref.anchor) or anchors.get(ref.anchor.lower())
        if anchor is None:
            warn(f"link '{ref.href}': no heading with that anchor in the linked document")
            anchor = ref.anchor
        return page_anchor_tag(target_id, anchor)

    def _url(self, page_id: int) -> str:
        if page_id not in self._urls:
            self._urls[page_id] = Page.objects.get(pk=page_id).get_url() or ""
        return self._urls[page_id]
