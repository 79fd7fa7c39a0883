"""The web form: organisation choice, severity definitions, suggestions hook, validation."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tiers.models import Ticket


def test_form_shows_severity_definitions_and_suggest_hook(client, org_a, org_a_admin):
    client.force_login(org_a_admin)
    html = client.get("/support/tickets/new/").content.decode()
    assert "Severity 1 - service down" in html
    assert "less than 2% of your total deployed units" in html
    assert 'data-suggest-url="/search/suggest/"' in html
    assert "tiers/tiers.js" in html


def test_community_user_sees_upgrade_path_instead_of_form(client, community_org):
    client.force_login(community_org.memberships.get().user)
    html = client.get("/support/tickets/new/").content.decode()
    assert "Private tickets come with a support plan" in html
    assert "/support/plans/" in html


def test_submit_creates_ticket_for_chosen_org(
    client, org_a, org_a_admin, make_org, infinity, django_capture_on_commit_callbacks
):
    second = make_org(name="Second", region="eu", plan=infinity, admin=org_a_admin)
    client.force_login(org_a_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/support/tickets/new/",
            {
                "organisation": second.pk,
                "subject": "Meters offline",
                "category": "troubleshooting",
                "description": "No traffic since 03:00.",
                "devices_affected": "30",
                "incident_at": "2026-03-02T03:00",
                "conditions": "After firmware update",
                "customer_severity": "2",
                "attachments": [SimpleUploadedFile("meter.log", b"no carrier\n")],
            },
        )
    ticket = Ticket.objects.get()
    assert response["Location"] == ticket.get_absolute_url()
    assert ticket.organisation == second and ticket.region == "eu"
    assert ticket.customer_severity == 2 and ticket.devices_affected == 30
    assert ticket.attachments.get().filename == "meter.log"
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert ticket.case_number in page
    assert "Response due by" in page


def test_invalid_submissions_show_errors(client, org_a, org_a_admin, org_b):
    client.force_login(org_a_admin)
    response = client.post(
        "/support/tickets/new/",
        {"organisation": org_b.pk, "subject": "", "description": "", "category": "x"},
    )
    assert response.status_code == 200
    assert b"errorlist" in response.content
    assert not Ticket.objects.exists()
    bad_file = client.post(
        "/support/tickets/new/",
        {
            "organisation": org_a.pk,
            "subject": "S",
            "category": "troubleshooting",
            "description": "D",
            "customer_severity": "3",
            "attachments": [SimpleUploadedFile("tool.exe", b"MZ")],
        },
    )
    assert b"not accepted" in bad_file.content
    assert not Ticket.objects.exists()


def test_plans_page_for_everyone(client, community_org, infinity):
    html = client.get("/support/plans/").content.decode()
    assert "Infinity" in html and "Community" in html
    assert "Within 5 minutes" in html
    client.force_login(community_org.memberships.get().user)
    html = client.get("/support/plans/").content.decode()
    assert f"/support/organisations/{community_org.slug}/subscribe/infinity/" in html
