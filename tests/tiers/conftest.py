"""Fixtures for the tiers tests: organisations on Community and Infinity, members, tickets."""

import pytest

from tiers import services
from tiers.models import Membership, Organisation, Plan


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.TIERS_PRIVATE_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def fresh_gate_cache():
    """Rolled-back test transactions send no signals: start every test with an empty cache."""
    from tiers import gate

    gate._clear_cache()
    yield
    gate._clear_cache()


@pytest.fixture(autouse=True)
def plan_seed(request):
    """The seed migration's plans, restored after transactional tests flushed the tables."""
    names = request.fixturenames
    if "transactional_db" in names or "live_server" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names:
        request.getfixturevalue("db")
    else:
        return
    if not Plan.objects.filter(code="infinity").exists():
        from tiers.plans.seed import DEFAULT_PLANS_FILE, load_file

        load_file(DEFAULT_PLANS_FILE)


@pytest.fixture
def infinity(db):
    return Plan.objects.get(code="infinity")


@pytest.fixture
def community(db):
    return Plan.objects.get(code="community")


@pytest.fixture
def make_org(db, user_factory):
    def make(name="Acme IoT", region="us", plan=None, admin=None):
        admin = admin or user_factory()
        organisation = services.create_organisation(name=name, region=region, creator=admin)
        if plan is not None and plan.purchasable:
            services.subscribe(organisation=organisation, plan=plan, by=admin)
        return organisation

    return make


def add_member(organisation: Organisation, user, role=Membership.ROLE_MEMBER) -> Membership:
    return Membership.objects.create(organisation=organisation, user=user, role=role)


@pytest.fixture
def org_a_admin(user_factory):
    return user_factory(email="admin-a@example.com", display_name="Avery (A admin)")


@pytest.fixture
def org_a(make_org, org_a_admin, infinity):
    return make_org(name="Org A", region="us", plan=infinity, admin=org_a_admin)


@pytest.fixture
def org_a_member(org_a, user_factory):
    user = user_factory(email="member-a@example.com", display_name="Ari (A member)")
    add_member(org_a, user)
    return user


@pytest.fixture
def org_b_admin(user_factory):
    return user_factory(email="admin-b@example.com", display_name="Blake (B admin)")


@pytest.fixture
def org_b(make_org, org_b_admin, infinity):
    return make_org(name="Org B", region="eu", plan=infinity, admin=org_b_admin)


@pytest.fixture
def org_b_member(org_b, user_factory):
    user = user_factory(email="member-b@example.com", display_name="Bo (B member)")
    add_member(org_b, user)
    return user


@pytest.fixture
def community_org(make_org, user_factory):
    admin = user_factory(email="free@example.com", display_name="Casey (Community)")
    return make_org(name="Free Co", region="us", admin=admin)


@pytest.fixture
def declare(staff_user, django_capture_on_commit_callbacks):
    """Record a service problem through the service, running what its commit triggers (the
    notices). A severity-2 data-session problem unless told otherwise; a file whose assertions
    name its own wording overrides this fixture with those defaults."""

    def make(**kwargs):
        kwargs.setdefault("title", "Data sessions failing in Germany")
        kwargs.setdefault("description", "Attach requests are rejected on one partner network.")
        kwargs.setdefault("severity", 2)
        with django_capture_on_commit_callbacks(execute=True):
            return services.record_problem(by=staff_user, **kwargs)

    return make


@pytest.fixture
def post_update(staff_user, django_capture_on_commit_callbacks):
    """Post an update on a problem through the service, running what its commit triggers."""

    def post(problem, body="We have found the cause.", **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.update_problem(problem=problem, by=staff_user, body=body, **kwargs)

    return post


@pytest.fixture
def open_ticket():
    def make(organisation, requester, **kwargs):
        kwargs.setdefault("subject", "Devices lost data sessions")
        kwargs.setdefault("description", "Since 14:00 our trackers cannot open a PDP context.")
        return services.open_ticket(organisation=organisation, requester=requester, **kwargs)

    return make
