"""Issue 14: verified members of a paying organisation start trusted enough that their first
question is not held for approval (forum asks resourcecenter.access; tiers answers)."""

import pytest
from allauth.account.models import EmailAddress

from forum import moderation_members
from forum.models import ThreadState, TrustLevel
from tests.forum.factories import CategoryFactory, make_thread
from tests.tiers.conftest import add_member


@pytest.fixture
def category(db):
    return CategoryFactory(name="APN and data", slug="apn-data")


def _fresh(user):
    return type(user).objects.get(pk=user.pk)  # no standing cached from an earlier question


def test_verified_member_of_a_paying_organisation_is_not_held(org_a, user_factory, category):
    engineer = user_factory(email="engineer@example.com", display_name="Eli")
    add_member(org_a, engineer)
    thread = make_thread(
        _fresh(engineer), category, body="See [our setup](https://example.com/setup)."
    )
    assert thread.moderation_state == ThreadState.VISIBLE
    assert '<a href="https://example.com/setup"' in thread.posts.get().body_html


def test_unverified_address_is_held(org_a, user_factory, category):
    engineer = user_factory(email="unverified@example.com", verified=False)
    add_member(org_a, engineer)
    assert make_thread(_fresh(engineer), category).moderation_state == ThreadState.HELD


def test_member_of_a_free_organisation_is_held(community_org, user_factory, category):
    engineer = user_factory(email="free-engineer@example.com")
    add_member(community_org, engineer)
    assert make_thread(_fresh(engineer), category).moderation_state == ThreadState.HELD


def test_no_organisation_is_held(user_factory, category):
    assert make_thread(user_factory(), category).moderation_state == ThreadState.HELD


def test_a_level_staff_set_by_hand_wins(org_a, user_factory, category, staff_user):
    engineer = user_factory(email="engineer@example.com")
    add_member(org_a, engineer)
    moderation_members.set_trust_level(engineer, level=TrustLevel.NEW, by=staff_user, lock=True)
    assert make_thread(_fresh(engineer), category).moderation_state == ThreadState.HELD


def test_a_changed_address_must_be_verified_again(org_a, user_factory, category):
    engineer = user_factory(email="engineer@example.com")
    add_member(org_a, engineer)
    EmailAddress.objects.filter(user=engineer).update(verified=False)
    assert make_thread(_fresh(engineer), category).moderation_state == ThreadState.HELD
