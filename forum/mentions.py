"""Stored @mention highlights follow accounts that are deactivated or reactivated.

Posts are rendered when written (forum.markdown), and only active members are highlighted. When
an account's `is_active` changes, the posts that mention its handle are re-rendered in the
background (forum.tasks.rerender_mentions_of), after the change is committed.
"""

from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from resourcecenter.models import User

_WAS_ACTIVE = "_forum_was_active"


def _may_change_active(instance, update_fields) -> bool:
    return instance.pk is not None and (update_fields is None or "is_active" in update_fields)


@receiver(pre_save, sender=User, dispatch_uid="forum_mentions_user_pre_save")
def _remember_active(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw or not _may_change_active(instance, update_fields):
        return
    was = User.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first()
    setattr(instance, _WAS_ACTIVE, was)


@receiver(post_save, sender=User, dispatch_uid="forum_mentions_user_post_save")
def _rerender_when_active_changes(sender, instance, created, raw=False, **kwargs):
    was = instance.__dict__.pop(_WAS_ACTIVE, None)
    if raw or created or was is None or was == instance.is_active:
        return
    from forum.models import Member
    from forum.tasks import rerender_mentions_of

    handle = Member.objects.filter(user=instance).values_list("handle", flat=True).first()
    if handle:
        transaction.on_commit(lambda: rerender_mentions_of.enqueue(handle))
