"""Keeps allauth's primary EmailAddress row in line with `User.email` on every save.

allauth changes both itself (it updates its rows first, then `User.email`), so its own flows
find them equal and nothing happens here. Anything else that changes `User.email` - the Wagtail
Users screen (which also validates and tells the people concerned), a data fix in the shell -
gets the same treatment: resourcecenter.services.set_primary_email. Accounts without any
EmailAddress row (just created, not yet through allauth's sign-up) are left to allauth.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from resourcecenter.models import User


@receiver(post_save, sender=User, dispatch_uid="resourcecenter_sync_primary_email")
def sync_primary_email(sender, instance: User, created: bool, update_fields=None, **kwargs):
    if created or kwargs.get("raw"):
        return
    if update_fields is not None and "email" not in update_fields:
        return
    from resourcecenter.services import set_primary_email

    set_primary_email(instance, create_missing=False)
