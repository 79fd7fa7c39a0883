"""The role table (resourcecenter.roles): each role's powers, per user and as a query."""

from django.contrib.auth.models import Group

import pytest

from resourcecenter import roles
from resourcecenter.roles import Power, guardian_for, users_with_power

EXPECTED = {
    roles.ANALYSTS_GROUP: {Power.WORK_TICKETS, Power.MODERATE_FORUM},
    roles.LEADS_GROUP: {Power.WORK_TICKETS, Power.MODERATE_FORUM, Power.LEAD_SUPPORT},
    roles.COMMUNITY_MODERATORS_GROUP: {Power.MODERATE_FORUM},
    roles.EDITORS_GROUP: {Power.EDIT_CONTENT},
    "Moderators": set(),  # Wagtail's page publishers: no forum moderation
}


@pytest.fixture
def people(user_factory):
    made = {}
    for index, group in enumerate(EXPECTED):
        user = user_factory(email=f"role{index}@example.com")
        user.groups.add(Group.objects.get_or_create(name=group)[0])
        made[group] = user
    made["is_staff only"] = user_factory(email="djangostaff@example.com", is_staff=True)
    made["member"] = user_factory(email="plain@example.com")
    made["superuser"] = user_factory(email="root@example.com", is_superuser=True)
    made["inactive analyst"] = user_factory(email="gone@example.com", is_active=False)
    made["inactive analyst"].groups.add(Group.objects.get(name=roles.ANALYSTS_GROUP))
    return made


@pytest.mark.django_db
def test_each_role_has_exactly_its_powers(people):
    expected = {
        **EXPECTED,
        "is_staff only": set(),
        "member": set(),
        "superuser": set(Power),
        "inactive analyst": set(),
    }
    for who, user in people.items():
        assert set(guardian_for(user).powers) == expected[who], who


@pytest.mark.django_db
def test_the_queryset_twin_agrees_with_the_guardian(people):
    for power in Power:
        holders = set(users_with_power(power).values_list("pk", flat=True))
        expected = {u.pk for u in people.values() if guardian_for(u).has(power)}
        assert holders == expected, power


@pytest.mark.django_db
def test_a_user_in_two_groups_is_listed_once(people):
    lead = people[roles.LEADS_GROUP]
    lead.groups.add(Group.objects.get(name=roles.ANALYSTS_GROUP))
    listed = list(users_with_power(Power.WORK_TICKETS).values_list("pk", flat=True))
    assert listed.count(lead.pk) == 1


@pytest.mark.django_db
def test_the_guardian_reads_groups_once_per_user_object(people, django_assert_num_queries):
    user = people[roles.ANALYSTS_GROUP]
    with django_assert_num_queries(1):
        for _ in range(3):
            assert roles.is_support_staff(user)
            assert roles.is_moderator(user)
            assert not roles.is_editor(user)


def test_anonymous_visitors_hold_nothing():
    from django.contrib.auth.models import AnonymousUser

    assert guardian_for(AnonymousUser()).powers == frozenset()
    assert guardian_for(None).powers == frozenset()
