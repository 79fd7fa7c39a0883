"""Every account page renders in the site layout, with labelled fields and no inline code.

The site's Content-Security-Policy forbids inline scripts and styles, so an allauth template
that slipped one in would break in the browser; this sweep catches it.
"""

import re

import pytest
from allauth.mfa.models import Authenticator

pytestmark = pytest.mark.django_db

ANONYMOUS = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/confirm-email/",
    "/accounts/confirm-email/not-a-real-key/",
    "/accounts/verification/resend/",
    "/accounts/inactive/",
]
SIGNED_IN = [
    "/accounts/profile/",
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/logout/",
    "/accounts/2fa/",
    "/accounts/reauthenticate/",
]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def assert_clean_page(response):
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="site-header"' in html, "not in the site layout"
    assert "css/accounts.css" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "style=" not in html
    assert not INLINE_SCRIPT.search(html)
    assert not EVENT_HANDLER.search(html)
    assert html.count("<h1") == 1
    main = html[html.index("<main") : html.index("</main>")]
    for field_id in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', main):
        if 'type="hidden"' in main.split(f'id="{field_id}"')[0].rsplit("<", 1)[-1]:
            continue
        assert f'for="{field_id}"' in main, f"field {field_id} has no label"


@pytest.mark.parametrize("path", ANONYMOUS)
def test_anonymous_account_pages(client, path):
    assert_clean_page(client.get(path))


@pytest.mark.parametrize("path", SIGNED_IN)
def test_signed_in_account_pages(client, member, path):
    client.force_login(member)
    assert_clean_page(client.get(path))


def test_mfa_management_pages_with_totp(client, member):
    Authenticator.objects.create(user=member, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(member)
    for path in ("/accounts/2fa/", "/accounts/2fa/totp/deactivate/"):
        response = client.get(path)
        if response.status_code == 302:  # asks to re-authenticate first
            assert response["Location"].startswith("/accounts/reauthenticate/")
            continue
        assert_clean_page(response)
