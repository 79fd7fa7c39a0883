"""Keep editors' schedules: a scheduled revision or an expiry date queues the publishing task
for that time (see `kb.tasks`)."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.dateparse import parse_datetime

from wagtail.models import Revision
from wagtail.signals import page_published

from kb.tasks import schedule_publishing_at


@receiver(post_save, sender=Revision, dispatch_uid="kb_schedule_go_live")
def schedule_go_live(sender, instance: Revision, **kwargs):
    if kwargs.get("raw"):
        return
    schedule_publishing_at(instance.approved_go_live_at)


@receiver(page_published, dispatch_uid="kb_schedule_expiry")
def schedule_expiry(sender, instance, revision=None, **kwargs):
    expire_at = getattr(instance, "expire_at", None)
    if expire_at is None and revision is not None:  # the signal's page may not carry it yet
        expire_at = parse_datetime(str(revision.content.get("expire_at") or ""))
    schedule_publishing_at(expire_at)
