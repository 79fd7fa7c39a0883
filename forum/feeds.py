"""RSS and Atom feeds of new threads, per category and per tag (public view only)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from forum import permissions as perms
from forum import selectors
from forum.markdown import plain_text
from forum.models import Category, Tag


class _ThreadFeed(Feed):
    """Newest visible threads; the description is the question as plain text."""

    def items(self, obj):
        raise NotImplementedError

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        question = getattr(item, "question", None)
        return plain_text(question.body_markdown, 600) if question else ""

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.last_activity_at

    def item_author_name(self, item):
        return item.author.public_name if item.author else "Former member"

    def item_categories(self, item):
        return [item.category.name]


class CategoryFeed(_ThreadFeed):
    def get_object(self, request, slug):
        category = get_object_or_404(Category, slug=slug, is_active=True)
        if not perms.can_read_category(AnonymousUser(), category):
            raise Http404("This category has no public feed.")
        return category

    def title(self, obj):
        return f"Community: {obj.name}"

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return obj.description or f"New threads in {obj.name}"

    def items(self, obj):
        return selectors.feed_threads(category=obj)


class CategoryAtomFeed(CategoryFeed):
    feed_type = Atom1Feed
    subtitle = CategoryFeed.description

    def feed_url(self, obj):
        return reverse("forum:category_atom", kwargs={"slug": obj.slug})


class TagFeed(_ThreadFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def title(self, obj):
        return f"Community threads tagged “{obj.name}”"

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return f"New threads tagged {obj.name}"

    def items(self, obj):
        return selectors.feed_threads(tag=obj)


class TagAtomFeed(TagFeed):
    feed_type = Atom1Feed
    subtitle = TagFeed.description

    def feed_url(self, obj):
        return reverse("forum:tag_atom", kwargs={"slug": obj.slug})
