"""Atom feeds of new and updated Resource Center articles: the whole site, or one section."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.db.models import F
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed

from wagtail.models import Site

from resourcecenter import access

FEED_SIZE = 30


class ArticlesFeed(Feed):
    """Newest first by last publication; only live, public pages the plan gate leaves open.

    `updated` is the last publication, `published` the first, so a revised guide reappears.
    """

    feed_type = Atom1Feed
    title = "New and updated articles"
    description = "Guides, tutorials, code samples and training videos from the Resource Center."
    subtitle = description

    def get_object(self, request, *args, **kwargs):
        self.request = request
        return Site.find_for_request(request)

    def link(self, site):
        return site.root_page.get_url(self.request) if site else "/"

    def feed_url(self, site):
        return self.request.build_absolute_uri()

    def items(self, site):
        from kb.selectors import content_pages

        pages = content_pages()
        if site is not None:
            pages = pages.descendant_of(site.root_page, inclusive=True)
        pages = pages.order_by(F("last_published_at").desc(nulls_last=True), "path")
        public = []
        # Over-fetch a little so that gated pages do not shorten the feed much.
        for page in pages.defer_streamfields().specific()[: FEED_SIZE * 2]:
            if list(access.page_audience(page)) == [access.PUBLIC]:
                public.append(page)
            if len(public) == FEED_SIZE:
                break
        return public

    def item_title(self, page):
        return page.title

    def item_description(self, page):
        return page.summary or page.search_description or ""

    def item_link(self, page):
        return page.get_url(self.request)

    def item_guid(self, page):
        return page.get_full_url(self.request)

    def item_guid_is_permalink(self, page):
        return True

    def item_pubdate(self, page):
        return page.first_published_at

    def item_updateddate(self, page):
        return page.last_published_at

    def item_categories(self, page):
        return [page.kind_label]


class SectionArticlesFeed(ArticlesFeed):
    """The same feed for one section and its subsections ("follow the API docs")."""

    def get_object(self, request, section_id: int, *args, **kwargs):
        from kb.models import ResourceIndexPage

        self.request = request
        if section_id >= 2**63:  # beyond any id; SQLite would raise OverflowError on it
            raise Http404("No such section.")
        self.section = ResourceIndexPage.objects.live().public().filter(pk=section_id).first()
        if self.section is None:
            raise Http404("No such section.")
        return Site.find_for_request(request)

    def title(self, site):
        return f"New and updated in {self.section.title}"

    def link(self, site):
        return self.section.get_url(self.request)

    def items(self, site):
        from kb.selectors import content_pages

        pages = (
            content_pages()
            .descendant_of(self.section)
            .order_by(F("last_published_at").desc(nulls_last=True), "path")
        )
        public = []
        for page in pages.defer_streamfields().specific()[: FEED_SIZE * 2]:
            if list(access.page_audience(page)) == [access.PUBLIC]:
                public.append(page)
            if len(public) == FEED_SIZE:
                break
        return public
