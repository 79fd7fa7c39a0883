"""Issue 14: plan-gated content explains itself. A gated forum category (or a thread in it)
shows its teaser, the plan that includes it and the upgrade path instead of 403 "That is not
possible"; the admin's teaser text for gated Resource Center pages is shown; the Community
customer's Tickets page says what the plan sold for tickets adds and how to get it. Plan names
come from the plan data."""

import datetime

import pytest

from kb.models import ArticlePage, ResourceIndexPage
from tests.forum.factories import CategoryFactory, make_thread, set_trust
from tiers.models import CategoryRestriction, PageRestriction, Plan


def _publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def renamed_plans(infinity, community):
    """Names nobody spells in code: what the pages say must come from the data."""
    Plan.objects.filter(pk=infinity.pk).update(name="Zenith Care", tagline="Hands-on help")
    Plan.objects.filter(pk=community.pk).update(name="Open Tier")
    return Plan.objects.get(pk=infinity.pk)


@pytest.fixture
def lounge(db, renamed_plans, staff_user):
    category = CategoryFactory(name="Fleet operators lounge", slug="lounge")
    restriction = CategoryRestriction.objects.create(
        category=category, teaser="Roadmap previews and direct answers from network engineers."
    )
    restriction.plans.add(renamed_plans)
    set_trust(staff_user)
    thread = make_thread(staff_user, category, title="Private roadmap question")
    return category, thread


def _assert_teaser(response, *, login: bool):
    assert response.status_code == 403
    page = response.content.decode()
    assert "That is not possible" not in page
    assert "Fleet operators lounge" in page
    assert "Roadmap previews and direct answers from network engineers." in page
    assert "Zenith Care" in page
    assert 'href="/support/plans/"' in page
    assert ("Log in" in page) is login
    assert "Private roadmap question" not in page
    return page


def test_a_gated_category_shows_its_teaser_and_the_upgrade_path(
    client, lounge, community_org, django_assert_max_num_queries
):
    client.force_login(community_org.memberships.get().user)
    with django_assert_max_num_queries(20):
        response = client.get("/community/c/lounge/")
    _assert_teaser(response, login=False)


def test_visitors_see_the_teaser_with_a_way_to_log_in(client, lounge):
    _assert_teaser(client.get("/community/c/lounge/"), login=True)


def test_a_thread_in_a_gated_category_shows_the_teaser(client, lounge, community_org):
    _, thread = lounge
    client.force_login(community_org.memberships.get().user)
    page = _assert_teaser(client.get(thread.get_absolute_url()), login=False)
    assert "This thread is in Fleet operators lounge, which is part of a support plan" in page


def test_subscribers_still_read_the_category(client, lounge, org_a, org_a_admin):
    client.force_login(org_a_admin)
    response = client.get("/community/c/lounge/")
    assert response.status_code == 200
    assert "Private roadmap question" in response.content.decode()


def test_a_gated_resource_center_page_shows_the_admins_teaser(client, home_page, renamed_plans):
    section = home_page.add_child(instance=ResourceIndexPage(title="Operator guides"))
    _publish(section)
    article = ArticlePage(
        title="Escalation runbook",
        summary="How escalations work.",
        last_reviewed=datetime.date(2026, 10, 1),
        body=[("paragraph", "<p>SECRET BODY</p>")],
    )
    section.add_child(instance=article)
    _publish(article)
    restriction = PageRestriction.objects.create(
        page=section, teaser="Runbooks written with our network operations centre."
    )
    restriction.plans.add(renamed_plans)
    page = client.get(article.url).content.decode()
    assert "SECRET BODY" not in page
    assert "Runbooks written with our network operations centre." in page
    assert "Zenith Care" in page


def test_community_customers_tickets_page_explains_the_upgrade(
    client, community_org, renamed_plans, django_assert_max_num_queries
):
    client.force_login(community_org.memberships.get().user)
    with django_assert_max_num_queries(20):
        response = client.get("/support/tickets/")
    page = response.content.decode()
    assert "No tickets here" not in page
    assert "Private tickets come with Zenith Care" in page
    assert "Your organisation is on Open Tier" in page
    assert "Hands-on help" in page
    assert "acknowledged within 5 minutes" in page
    assert 'href="/support/plans/#plan-infinity"' in page
    main = page[page.index("<main") : page.index("</main>")]
    assert "Infinity" not in main and "Community support" not in main


def test_paying_customers_empty_list_offers_a_ticket(client, org_a, org_a_admin):
    client.force_login(org_a_admin)
    page = client.get("/support/tickets/").content.decode()
    assert "No open tickets." in page and "/support/tickets/new/" in page
    assert "Private tickets come with" not in page
