"""The gate: audiences, page and category restrictions, ticket rights; bounded queries."""

from django.contrib.auth.models import AnonymousUser

from wagtail.models import Page

import pytest

from tests.forum.factories import CategoryFactory
from tiers import gate
from tiers.models import CategoryRestriction, PageRestriction


@pytest.fixture
def pages(home_page):
    section = home_page.add_child(instance=Page(title="Infinity guides", slug="infinity-guides"))
    child = section.add_child(instance=Page(title="Deep dive", slug="deep-dive"))
    public = home_page.add_child(instance=Page(title="Public", slug="public"))
    return section, child, public


def fresh(user):
    return type(user).objects.get(pk=user.pk)


def test_audiences(org_a, org_a_admin, community_org, staff_user):
    assert gate.audiences_for(AnonymousUser()) == {"public"}
    assert gate.audiences_for(org_a_admin) == {"public", "infinity"}
    assert gate.audiences_for(community_org.memberships.get().user) == {"public"}
    assert gate.audiences_for(staff_user) is None


def test_page_restriction_applies_to_descendants(
    pages, infinity, org_a, org_a_admin, community_org
):
    section, child, public = pages
    restriction = PageRestriction.objects.create(page=section, teaser="For Infinity customers")
    restriction.plans.add(infinity)
    assert gate.page_audience(section) == ["infinity"]
    assert gate.page_audience(child) == ["infinity"]
    assert gate.page_audience(public) == ["public"]
    assert gate.can_view_page(org_a_admin, child)
    assert not gate.can_view_page(community_org.memberships.get().user, child)
    assert not gate.can_view_page(AnonymousUser(), section)
    assert gate.can_view_page(AnonymousUser(), public)


def test_restriction_changes_are_seen_at_once(pages, infinity):
    section, child, _ = pages
    assert gate.page_audience(child) == ["public"]
    restriction = PageRestriction.objects.create(page=section)
    restriction.plans.add(infinity)
    assert gate.page_audience(child) == ["infinity"]
    restriction.delete()
    assert gate.page_audience(child) == ["public"]


def test_gate_change_schedules_reindex(
    pages, infinity, monkeypatch, django_capture_on_commit_callbacks
):
    from search import indexing

    seen = []
    monkeypatch.setattr(indexing, "schedule_reindex", lambda obj: seen.append(obj.pk))
    section, child, _ = pages
    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageRestriction.objects.create(page=section)
        restriction.plans.add(infinity)
    assert section.pk in seen and child.pk in seen


def test_category_restriction(db, infinity, org_a, org_a_admin, community_org):
    category = CategoryFactory(name="Infinity lounge", slug="infinity-lounge")
    other = CategoryFactory(name="General", slug="general")
    restriction = CategoryRestriction.objects.create(category=category)
    restriction.plans.add(infinity)
    assert gate.category_audience(category) == ["infinity"]
    assert gate.category_audience(other) == ["public"]
    assert gate.can_read_category(org_a_admin, category)
    assert not gate.can_read_category(community_org.memberships.get().user, category)


def test_can_open_tickets(org_a, org_a_admin, community_org, user_factory):
    assert gate.can_open_tickets(org_a_admin)
    assert not gate.can_open_tickets(community_org.memberships.get().user)
    assert not gate.can_open_tickets(user_factory())
    assert not gate.can_open_tickets(AnonymousUser())


def test_bounded_queries_for_many_pages(
    pages, infinity, org_a, org_a_admin, home_page, django_assert_max_num_queries
):
    section = pages[0]
    PageRestriction.objects.create(page=section).plans.add(infinity)
    many = [section.add_child(instance=Page(title=f"P{i}", slug=f"p{i}")) for i in range(20)]
    user = fresh(org_a_admin)
    with django_assert_max_num_queries(3), gate.batch():
        results = [gate.can_view_page(user, page) for page in many]
        results += [gate.can_view_page(user, page) for page in many]
    assert all(results)
