"""A `next` taken from a tiers form is followed only when it stays on this site."""

from django.test import RequestFactory

import pytest

from resourcecenter.redirects import safe_next_url


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/support/tickets/", "/support/tickets/"),
        ("https://evil.example/phish", "/fallback/"),
        ("//evil.example/phish", "/fallback/"),
        ("javascript:alert(1)", "/fallback/"),
        ("", "/fallback/"),
        # A bare word is not a URL: redirect() would look it up as a view name (HTTP 500).
        ("881731291610591616", "/fallback/"),
        ("support", "/fallback/"),
        ("http://testserver/support/", "http://testserver/support/"),
    ],
)
def test_safe_next_url(target, expected):
    request = RequestFactory().post("/x/", {"next": target})
    assert safe_next_url(request, "/fallback/") == expected


def test_rule_violation_redirects_back_not_off_site(client, org_a, org_a_admin, open_ticket):
    ticket = open_ticket(org_a, org_a_admin)
    client.force_login(org_a_admin)
    page = f"/support/tickets/{ticket.case_number}/"
    url = f"{page}close/"
    assert client.post(url).status_code == 302  # closed
    # Closing it again breaks a rule: back to the page the form was on, never off-site (and
    # never to the POST-only URL itself, which would answer the browser's GET with 405).
    response = client.post(
        url, {"next": "https://evil.example/"}, HTTP_REFERER=f"http://testserver{page}"
    )
    assert response.status_code == 302 and response["Location"] == f"http://testserver{page}"
    response = client.post(url, {"next": "/support/tickets/"})
    assert response["Location"] == "/support/tickets/"


def test_a_refused_form_comes_back_as_its_page_not_off_site(
    client, org_a, org_a_admin, open_ticket
):
    ticket = open_ticket(org_a, org_a_admin)
    client.force_login(org_a_admin)
    url = f"/support/tickets/{ticket.case_number}/dispute/"
    response = client.post(url, {"next": "https://evil.example/"})
    assert response.status_code == 400  # the ticket page with the form's errors, no redirect
    assert ticket.case_number in response.content.decode()
