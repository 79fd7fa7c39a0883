"""Plan-gated categories (through tiers.gate): filtered in every forum query, not after paging."""

import pytest

from tests.forum.factories import CategoryFactory, make_thread
from tiers import gate
from tiers import services as tiers_services
from tiers.models import CategoryRestriction, Plan


@pytest.fixture(autouse=True)
def fresh_gate_cache():
    gate._clear_cache()
    yield
    gate._clear_cache()


@pytest.fixture
def lounge(db, trusted_member, staff_user):
    """An Infinity-only category with one thread, next to a public one."""
    public = CategoryFactory(name="APN & data", slug="apn-data")
    lounge = CategoryFactory(name="Infinity lounge", slug="lounge")
    infinity = Plan.objects.get(code="infinity")
    restriction = CategoryRestriction.objects.create(category=lounge)
    restriction.plans.add(infinity)
    gate._clear_cache()
    make_thread(trusted_member, public, title="Public question about APN settings")
    secret = make_thread(staff_user, lounge, title="Private roadmap question for Infinity")
    return {"public": public, "lounge": lounge, "secret": secret, "plan": infinity}


@pytest.fixture
def subscriber(user_factory, lounge):
    admin = user_factory(email="buyer@example.com", display_name="Buyer")
    organisation = tiers_services.create_organisation(name="Acme", region="us", creator=admin)
    tiers_services.subscribe(organisation=organisation, plan=lounge["plan"], by=admin)
    return type(admin).objects.get(pk=admin.pk)


def visible_everywhere(client, lounge) -> dict[str, bool]:
    secret = lounge["secret"]
    title = secret.title
    return {
        "index": title in client.get("/community/").content.decode(),
        "list": title in client.get("/community/threads/").content.decode(),
        "similar": any(
            r["title"] == title
            for r in client.get("/community/similar/?q=roadmap+Infinity").json()["results"]
        ),
        "thread": client.get(secret.get_absolute_url()).status_code == 200,
        "category": client.get("/community/c/lounge/").status_code == 200,
    }


def test_anonymous_and_members_do_not_see_gated_threads(client, lounge, other_member):
    assert visible_everywhere(client, lounge) == dict.fromkeys(
        ["index", "list", "similar", "thread", "category"], False
    )
    response = client.get(lounge["secret"].get_absolute_url())
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/community/c/lounge/feed.rss").status_code == 404
    client.force_login(other_member)
    assert not any(visible_everywhere(client, lounge).values())
    response = client.get("/community/c/lounge/")
    assert response.status_code == 403
    assert "support plan" in response.content.decode()
    # The public category is unaffected.
    assert "Public question" in client.get("/community/threads/").content.decode()


def test_subscribers_and_staff_see_gated_threads(client, lounge, subscriber, staff_user):
    client.force_login(subscriber)
    assert all(visible_everywhere(client, lounge).values())
    client.force_login(staff_user)
    assert all(visible_everywhere(client, lounge).values())


def test_subscriber_may_start_threads_in_gated_category(client, lounge, subscriber, other_member):
    client.force_login(subscriber)
    assert f'value="{lounge["lounge"].pk}"' in client.get("/community/ask/").content.decode()
    client.force_login(other_member)
    assert f'value="{lounge["lounge"].pk}"' not in client.get("/community/ask/").content.decode()
