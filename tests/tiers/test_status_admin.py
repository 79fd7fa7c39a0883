"""Staff manage the status page in the Wagtail admin: components, incidents with their
affected components and impact, maintenance windows; customers cannot."""

import datetime as dt

from django.contrib.auth.models import Group
from django.core.cache import caches
from django.utils import timezone

import pytest

from resourcecenter.roles import ANALYSTS_GROUP
from tiers.apps import grant_support_staff
from tiers.incidents.models import (
    Component,
    MaintenanceWindow,
    ServiceProblem,
    StatusSubscriber,
    WebhookDelivery,
)


@pytest.fixture(autouse=True)
def _empty_status_cache():
    caches["status"].clear()
    yield
    caches["status"].clear()


@pytest.fixture
def analyst(user_factory):
    """A support analyst by group membership (not is_staff)."""
    grant_support_staff(sender=None)
    user = user_factory(email="analyst@example.com", display_name="Ana Lyst")
    user.groups.add(Group.objects.get_or_create(name=ANALYSTS_GROUP)[0])
    return user


def when(moment):
    return moment.strftime("%Y-%m-%d %H:%M")


def test_analyst_manages_components_incidents_and_maintenance(
    client, analyst, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(analyst)
    assert client.get("/admin/tiers/component/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/tiers/component/new/",
            {
                "name": "SMS",
                "slug": "sms",
                "group": "Connectivity",
                "sort_order": "1",
                "is_public": "on",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    portal = Component.objects.create(name="Customer portal", slug="portal")
    sms = Component.objects.get(slug="sms")
    StatusSubscriber.objects.create(email="ops@example.com", confirmed_at=timezone.now())
    # Declare an incident with components by state; the impact follows the facts.
    new = client.get("/admin/tiers/serviceproblem/new/").content.decode()
    assert "Components in major outage" in new and "Impact class" in new
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/tiers/serviceproblem/new/",
            {
                "title": "SMS centre down",
                "description": "No SMS are delivered.",
                "severity": "2",
                "region": "",
                "started_at": when(timezone.now()),
                "devices_affected": "40",
                "is_public": "on",
                "major": [sms.pk],
                "degraded": [portal.pk],
                "impact_class": "",
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    problem = ServiceProblem.objects.get()
    assert problem.impact == "operational" and problem.is_public
    assert {(link.component.slug, link.state) for link in problem.component_links.all()} == {
        ("sms", "major_outage"),
        ("portal", "degraded_performance"),
    }
    assert [m.subject for m in mailoutbox] == ["[Incident] SMS centre down"]
    # The same component under two states is refused.
    edit_url = f"/admin/tiers/serviceproblem/edit/{problem.pk}/"
    page = client.get(edit_url).content.decode()
    assert f'value="{sms.pk}"' in page
    response = client.post(
        edit_url,
        {
            "update": "Fix in progress.",
            "status": "identified",
            "severity": "2",
            "title": "SMS centre down",
            "description": "No SMS are delivered.",
            "region": "",
            "is_public": "on",
            "major": [sms.pk],
            "partial": [sms.pk],
            "impact_class": "critical",
        },
    )
    assert response.status_code == 200 and "already listed" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            edit_url,
            {
                "update": "Traffic moved to the standby SMS centre.",
                "status": "monitoring",
                "severity": "2",
                "title": "SMS centre down",
                "description": "No SMS are delivered.",
                "region": "",
                "is_public": "on",
                "partial": [sms.pk],
                "impact_class": "critical",
            },
        )
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.status == "monitoring" and problem.impact == "critical"
    assert list(problem.component_links.values_list("state", flat=True)) == ["partial_outage"]
    assert "Traffic moved" in client.get("/status/").content.decode()
    # Maintenance is announced ahead.
    starts = timezone.now() + dt.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/tiers/maintenancewindow/new/",
            {
                "title": "Portal upgrade",
                "description": "Short interruptions.",
                "components": [portal.pk],
                "starts_at": when(starts),
                "ends_at": when(starts + dt.timedelta(hours=2)),
                "is_public": "on",
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    window = MaintenanceWindow.objects.get()
    assert mailoutbox[-1].subject == "[Scheduled maintenance] Portal upgrade"
    assert "Portal upgrade" in client.get("/status/").content.decode()
    # Ends before it starts: refused.
    response = client.post(
        f"/admin/tiers/maintenancewindow/edit/{window.pk}/",
        {
            "title": "Portal upgrade",
            "description": "Short interruptions.",
            "components": [portal.pk],
            "starts_at": when(starts),
            "ends_at": when(starts - dt.timedelta(hours=2)),
            "is_public": "on",
        },
    )
    assert response.status_code == 200 and "must end after it starts" in response.content.decode()
    # The delivery log is read-only; components are not deleted by analysts.
    assert client.get("/admin/tiers/webhookdelivery/").status_code == 200
    assert client.get("/admin/tiers/webhookdelivery/new/").status_code in (302, 403, 404)
    assert client.get(f"/admin/tiers/component/delete/{portal.pk}/").status_code in (302, 403)
    assert Component.objects.filter(pk=portal.pk).exists()
    assert not WebhookDelivery.objects.exists()


def test_customers_cannot_manage_the_status_page(client, member):
    client.force_login(member)
    for url in (
        "/admin/tiers/component/",
        "/admin/tiers/maintenancewindow/new/",
        "/admin/tiers/statussubscriber/",
    ):
        assert client.get(url).status_code in (302, 403)
    response = client.post(
        "/admin/tiers/component/new/", {"name": "Evil", "slug": "evil", "sort_order": "0"}
    )
    assert response.status_code in (302, 403)
    assert not Component.objects.exists()
