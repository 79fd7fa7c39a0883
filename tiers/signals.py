"""Tell search when a plan gate changes, so gated content's audience is re-indexed."""

from django.db.models.signals import m2m_changed, post_delete, post_save


def _reindex_restriction(instance) -> None:
    from search.indexing import schedule_reindex

    target = getattr(instance, "page", None) or getattr(instance, "category", None)
    if target is None:
        return
    schedule_reindex(target)
    if hasattr(target, "get_descendants"):
        for page in target.get_descendants().specific():
            schedule_reindex(page)


def _on_change(sender, instance, **kwargs):
    # In the change's own transaction, like every outbox row: the documents are built only when
    # the outbox is applied after commit, so plans saved after the row itself are seen too.
    _reindex_restriction(instance)


def _on_delete(sender, instance, **kwargs):
    _reindex_restriction(instance)


def connect() -> None:
    from tiers.models import CategoryRestriction, PageRestriction

    for model in (PageRestriction, CategoryRestriction):
        post_save.connect(_on_change, sender=model, dispatch_uid=f"tiers_reindex_save_{model}")
        post_delete.connect(_on_delete, sender=model, dispatch_uid=f"tiers_reindex_del_{model}")
        m2m_changed.connect(
            lambda sender, instance, action, **kw: (
                _on_change(sender, instance) if action.startswith("post_") else None
            ),
            sender=model.plans.through,
            dispatch_uid=f"tiers_reindex_m2m_{model}",
            weak=False,
        )
