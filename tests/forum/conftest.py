"""Forum fixtures: categories, members at each trust level, a moderator, threads."""

from django.contrib.auth.models import Group

import pytest

from forum.models import TrustLevel
from resourcecenter.roles import COMMUNITY_MODERATORS_GROUP
from tests.forum.factories import CategoryFactory, make_reply, make_thread, set_trust


@pytest.fixture
def category(db):
    return CategoryFactory(name="APN & data", slug="apn-data")


@pytest.fixture
def staff_category(db):
    return CategoryFactory(name="Announcements", slug="announcements", staff_only_posting=True)


@pytest.fixture
def trusted_member(member):
    """The conftest `member` (Morgan), promoted past the new-member checks."""
    set_trust(member, TrustLevel.MEMBER)
    return member


@pytest.fixture
def new_member(user_factory):
    user = user_factory(email="newbie@example.com", display_name="Newbie")
    set_trust(user, TrustLevel.NEW)
    return user


@pytest.fixture
def other_member(user_factory):
    user = user_factory(email="other@example.com", display_name="Riley")
    set_trust(user, TrustLevel.MEMBER)
    return user


@pytest.fixture
def moderator(user_factory):
    user = user_factory(email="mod@example.com", display_name="Mo Derator")
    user.groups.add(Group.objects.get_or_create(name=COMMUNITY_MODERATORS_GROUP)[0])
    set_trust(user, TrustLevel.TRUSTED)
    return user


@pytest.fixture
def thread(trusted_member, category):
    return make_thread(trusted_member, category)


@pytest.fixture
def reply(other_member, thread):
    return make_reply(other_member, thread)
