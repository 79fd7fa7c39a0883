"""Search documents for published incident postmortems (root-cause analyses).

A postmortem is in the index while it is published; its audience is the codes of the plans
that include postmortems of the incident's impact class (tiers.permissions.postmortem_plans),
so the engines' audience filter shows it to exactly the readers the postmortem page admits
(staff see everything). A change to a plan's entitlement re-indexes every postmortem.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models.signals import post_delete, post_save

from resourcecenter.text import collapse_whitespace, html_to_text
from search.documents import SearchDocument
from search.indexing import schedule_reindex
from search.registry import Provider, register
from tiers.incidents.models import ServiceProblem
from tiers.permissions import postmortem_plans
from tiers.plans.models import Plan

KIND = "postmortem"


def _published():
    return ServiceProblem.objects.filter(postmortem_published_at__isnull=False)


def _text(problem: ServiceProblem) -> tuple[str, str]:
    """(body, headings) of the postmortem's blocks."""
    body, headings = [], []
    for block in problem.postmortem:
        if block.block_type == "heading":
            headings.append(str(block.value))
        elif block.block_type == "paragraph":
            body.append(html_to_text(block.value.source))
        elif block.block_type == "action":
            body.append(f"{block.value['measure']} {block.value.get('status') or ''}")
    return collapse_whitespace(" ".join(body)), " ".join(headings)


def build_document(problem: ServiceProblem) -> SearchDocument | None:
    if not problem.postmortem_is_published:
        return None
    audience = postmortem_plans(problem)
    if not audience:
        return None  # no plan includes it: only staff read it, from the admin
    body, headings = _text(problem)
    return SearchDocument(
        kind=KIND,
        id=f"postmortem:{problem.pk}",
        url=problem.get_postmortem_url(),
        title=f"Postmortem: {problem.title}",
        body=f"{problem.description} {body}",
        headings=headings,
        summary=problem.get_impact_display(),
        section="Incidents",
        audience=audience,
        created=problem.postmortem_published_at,
        updated=problem.updated_at,
    )


class PostmortemProvider(Provider):
    name = "tiers"
    kinds = (KIND,)

    def handles(self, obj) -> bool:
        return isinstance(obj, ServiceProblem | Plan)

    def keys_for(self, obj) -> list[str]:
        if isinstance(obj, Plan):
            return ["plans:all"]
        return [f"postmortem:{obj.pk}"]

    def resolve(self, key: str):
        prefix, _, raw_id = key.partition(":")
        if prefix == "plans":
            for problem in _published():
                yield f"postmortem:{problem.pk}", build_document(problem)
        elif prefix == "postmortem":
            problem = ServiceProblem.objects.filter(pk=int(raw_id)).first()
            yield key, build_document(problem) if problem is not None else None
        else:
            raise ValueError(f"unknown tiers index key {key!r}")

    def count(self, kind: str | None = None) -> int:
        return _published().count()

    def iter_documents(self, kind: str | None = None) -> Iterator[SearchDocument]:
        if kind not in (None, KIND):
            return
        published = _published()
        for problem in published.order_by("pk").iterator(chunk_size=200):
            document = build_document(problem)
            if document is not None:
                yield document

    def connect_signals(self) -> None:
        for model in (ServiceProblem, Plan):
            uid = f"search-tiers-{model._meta.model_name}"
            post_save.connect(_changed, sender=model, dispatch_uid=uid)
            post_delete.connect(_changed, sender=model, dispatch_uid=uid + "-del")


def _changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    if isinstance(instance, ServiceProblem) and not (
        instance.postmortem_published_at or instance.postmortem
    ):
        return  # nothing of it is (or was) in the index
    if isinstance(instance, Plan) and not _published().exists():
        return  # an entitlement change matters only once a postmortem is published
    schedule_reindex(instance)


register(PostmortemProvider())
