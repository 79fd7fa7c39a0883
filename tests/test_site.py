import pytest

from resourcecenter.models import HomePage, User

pytestmark = pytest.mark.django_db


def test_home_page_is_served(client, home_page):
    response = client.get("/")
    assert response.status_code == 200
    assert b"How can we help?" in response.content
    assert response["Content-Security-Policy"].startswith("default-src 'self'")


def test_demo_loader_is_idempotent(django_capture_on_commit_callbacks):
    from django.core.management import call_command

    call_command("load_demo")
    counts = (User.objects.count(), HomePage.objects.count())
    call_command("load_demo")
    assert (User.objects.count(), HomePage.objects.count()) == counts
    assert HomePage.objects.count() == 1


def test_email_is_the_login_and_is_case_insensitive():
    user = User.objects.create_user(email="Ann@Example.COM", password="x-long-password-1")
    assert user.email == "ann@example.com"
    assert User.objects.get_by_natural_key("ANN@example.com") == user
    assert user.public_name == "ann"


def test_robots_txt_points_to_the_sitemap(client, home_page):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert "Disallow: /admin/" in response.content.decode()
