"""The staff screens in the Wagtail admin: queue ordering and filters, settings viewsets."""

import pytest

from tiers import services


@pytest.fixture
def queue(org_a, org_a_admin, org_b, org_b_admin, open_ticket):
    late = open_ticket(org_a, org_a_admin, subject="Late one", customer_severity=4)
    urgent = open_ticket(org_b, org_b_admin, subject="Urgent one", customer_severity=1)
    return late, urgent


def test_queue_is_sorted_by_due_time_and_links_to_ticket(client, superuser, queue):
    late, urgent = queue
    client.force_login(superuser)
    response = client.get("/admin/tiers/ticket/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(urgent.case_number) < html.index(late.case_number)
    assert f'href="/support/tickets/{urgent.case_number}/"' in html


def test_queue_filters(client, superuser, queue):
    late, urgent = queue
    client.force_login(superuser)
    html = client.get("/admin/tiers/ticket/", {"severity": 1}).content.decode()
    assert urgent.case_number in html and late.case_number not in html
    html = client.get("/admin/tiers/ticket/", {"region": "eu"}).content.decode()
    assert urgent.case_number in html and late.case_number not in html
    html = client.get("/admin/tiers/ticket/", {"breached": "true"}).content.decode()
    assert urgent.case_number not in html
    late.breached_at = late.response_due_at
    late.save()
    html = client.get("/admin/tiers/ticket/", {"breached": "true"}).content.decode()
    assert late.case_number in html and urgent.case_number not in html


@pytest.mark.parametrize(
    "url",
    [
        "/admin/tiers/plan/",
        "/admin/tiers/escalationrule/",
        "/admin/tiers/escalationcontact/",
        "/admin/tiers/severityscheme/",
        "/admin/tiers/severitylevel/",
        "/admin/tiers/businesscalendar/",
        "/admin/tiers/holiday/",
        "/admin/tiers/exclusionreason/",
        "/admin/tiers/pagerestriction/",
        "/admin/tiers/categoryrestriction/",
        "/admin/tiers/organisation/",
        "/admin/tiers/subscription/",
        "/admin/tiers/invoice/",
        "/admin/tiers/ticketevent/",
    ],
)
def test_settings_screens_load(client, superuser, url):
    client.force_login(superuser)
    assert client.get(url).status_code == 200


def test_plan_edit_form_loads(client, superuser, infinity):
    client.force_login(superuser)
    response = client.get(f"/admin/tiers/plan/edit/{infinity.pk}/")
    assert response.status_code == 200
    assert b"response_target_hours" in response.content


def test_customers_cannot_open_the_queue(client, org_a_admin, org_a):
    client.force_login(org_a_admin)
    response = client.get("/admin/tiers/ticket/")
    assert response.status_code in (302, 403)


def test_assigning_from_ticket_page_records_event(client, staff_user, queue):
    late, _ = queue
    client.force_login(staff_user)
    response = client.post(
        f"/support/tickets/{late.case_number}/staff/",
        {"action": "assign", "analyst": staff_user.pk},
    )
    assert response.status_code == 302
    late.refresh_from_db()
    assert late.assigned_to == staff_user
    assert late.events.filter(kind="assigned").exists()
    assert services  # the service layer is what the view used


def test_support_staff_group_can_work_the_queue(client, user_factory, queue):
    from django.contrib.auth.models import Group

    from resourcecenter.roles import ANALYSTS_GROUP
    from tiers.apps import grant_support_staff

    grant_support_staff(sender=None)
    analyst = user_factory(email="analyst@example.com", is_staff=True)
    analyst.groups.add(Group.objects.get(name=ANALYSTS_GROUP))
    client.force_login(analyst)
    response = client.get("/admin/tiers/ticket/")
    assert response.status_code == 200
    assert queue[0].case_number in response.content.decode()
    timeline = client.get("/admin/tiers/ticketevent/", {"q": queue[0].case_number})
    assert timeline.status_code == 200
    assert "Automated acknowledgement" in timeline.content.decode()


def test_page_restriction_is_editable_in_admin(client, superuser, home_page, infinity):
    from wagtail.models import Page

    from tiers import gate
    from tiers.models import PageRestriction

    page = home_page.add_child(instance=Page(title="Gated guide", slug="gated-guide"))
    client.force_login(superuser)
    assert client.get("/admin/tiers/pagerestriction/new/").status_code == 200
    response = client.post(
        "/admin/tiers/pagerestriction/new/",
        {"page": page.pk, "plans": [infinity.pk], "teaser": "Infinity customers only"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PageRestriction.objects.get(page=page).plans.get() == infinity
    assert gate.page_audience(page) == ["infinity"]


def test_admin_reassignment_is_recorded_in_timeline(client, superuser, staff_user, queue):
    late, _ = queue
    client.force_login(superuser)
    url = f"/admin/tiers/ticket/edit/{late.pk}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"assigned_to": staff_user.pk})
    assert response.status_code == 302
    late.refresh_from_db()
    assert late.assigned_to == staff_user
    assert late.events.filter(kind="assigned", actor=superuser).exists()
