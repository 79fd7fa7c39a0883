"""`{% site_userbar %}` (resourcecenter.templatetags.site_userbar): off Wagtail pages the user
bar is kept per user and content generation, and never outlives the rights or the admin
profile it was rendered with."""

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.users.models import UserProfile

USERBAR = 'id="wagtail-userbar-template"'


def _triage(client) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/community/triage/")
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in ctx.captured_queries]


def test_the_userbar_is_kept_and_follows_the_admin_profile(client, superuser):
    client.force_login(superuser)
    html, _ = _triage(client)  # (creates the admin profile: a write, so kept from the next)
    assert USERBAR in html and "w-theme-system" in html
    _triage(client)
    html, queries = _triage(client)
    assert USERBAR in html
    assert not [q for q in queries if "wagtailusers_userprofile" in q]
    profile = UserProfile.get_for_user(superuser)
    profile.theme = "dark"
    profile.save()
    html, _ = _triage(client)
    assert "w-theme-dark" in html


def test_losing_admin_access_removes_the_kept_userbar_at_once(client, user_factory):
    analyst = user_factory(email="editor@example.com", display_name="Ed")
    group = Group.objects.create(name="Admin readers")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    analyst.groups.add(group)
    client.force_login(analyst)
    response = client.get("/community/")
    assert USERBAR in response.content.decode()
    assert USERBAR in client.get("/community/").content.decode()
    group.permissions.clear()
    assert USERBAR not in client.get("/community/").content.decode()


def test_visitors_and_members_get_no_userbar(client, member):
    assert USERBAR not in client.get("/community/").content.decode()
    client.force_login(member)
    assert USERBAR not in client.get("/community/").content.decode()


def test_on_a_wagtail_page_the_userbar_is_the_pages_own(client, superuser, home_page):
    """A page's user bar offers editing that page: rendered by Wagtail for it, never kept."""
    client.force_login(superuser)
    html = client.get(home_page.url).content.decode()
    assert USERBAR in html
    assert f"/admin/pages/{home_page.pk}/edit/" in html
