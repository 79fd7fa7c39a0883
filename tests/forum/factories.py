"""factory-boy factories for forum data in tests.

Threads and replies are made through forum.services (so counters, numbering and rendering are
exactly what production produces); only categories and tags are plain rows.
"""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from forum import permissions as perms
from forum.models import Category, Member, Tag, TrustLevel


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    description = "Questions about a part of the service."
    position = factory.Sequence(lambda n: n)


class TagFactory(DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag{n}")
    slug = factory.LazyAttribute(lambda o: o.name)


def set_trust(user, level: str = TrustLevel.MEMBER) -> Member:
    """Give `user` a trust level (creating their Member row); clears the per-user cache."""
    from forum.member_services import ensure_member

    member = ensure_member(user)
    Member.objects.filter(pk=member.pk).update(trust_level=level)
    member.refresh_from_db()
    perms.remember_member(user, member)
    return member


def make_thread(author, category, title="How do I configure the APN on my modem?", body=None, **kw):
    from forum.services import create_thread

    return create_thread(
        author=author,
        category=category,
        title=title,
        body=body or "My device does not attach. What APN should I use?",
        **kw,
    )


def make_reply(author, thread, body="Try setting the APN to `iot.example`.", **kw):
    from forum.services import create_reply

    return create_reply(author=author, thread=thread, body=body, **kw)
