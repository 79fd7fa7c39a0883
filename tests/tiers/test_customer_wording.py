"""Issue 14, "The customer's side": one support phone number (from the site's settings), one
date style in the reader's time zone, proper plurals, one spelling of "24x7", and no admin
labels on customer pages."""

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

import pytest

from resourcecenter.middleware import ReaderTimeZoneMiddleware
from resourcecenter.models import SupportSettings
from resourcecenter.templatetags.wording import day, quantity, when

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "unit", "said"),
    [
        (Decimal("1.00"), "hours", "1 hour"),
        (Decimal("1.5"), "hours", "1.5 hours"),
        (0, "hours", "0 hours"),
        (1, "cases", "1 case"),
        (3, "case", "3 cases"),
        (Decimal("0.25"), "hours", "0.25 hours"),
    ],
)
def test_amounts_have_proper_plurals(value, unit, said):
    assert quantity(value, unit) == said


def test_one_date_style_in_the_readers_time_zone():
    moment = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)
    assert when(moment) == "2 Dec 2026, 23:30 UTC"
    with timezone.override(ZoneInfo("Europe/Berlin")):
        assert when(moment) == "3 Dec 2026, 00:30 CET"
        assert day(moment) == "3 Dec 2026"
    with timezone.override(ZoneInfo("America/Chicago")):
        assert when(moment) == "2 Dec 2026, 17:30 CST"


@pytest.mark.parametrize(
    ("cookie", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("Mars/Olympus", "UTC"),
        ("../../etc", "UTC"),
        ("", "UTC"),
    ],
)
def test_the_browsers_time_zone_is_used_when_known(cookie, zone):
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return HttpResponse()

    request = RequestFactory().get("/")
    request.COOKIES["tz"] = cookie
    ReaderTimeZoneMiddleware(view)(request)
    assert seen["zone"] == zone
    assert timezone.get_current_timezone_name() == "UTC"  # not carried into the next request


def test_plans_show_the_one_support_number_from_settings(client, home_page):
    settings = SupportSettings.load()
    settings.support_phone = "+1 800 555 0199"
    settings.save()
    page = client.get("/support/plans/").content.decode()
    assert "+1 800 555 0199" in page
    assert "866-992-3747" not in page  # the plan's own (second) number is not shown
    assert "24/7" not in page and "24x7x365" not in page


def test_organisation_page_speaks_to_customers(client, org_a, org_a_admin):
    client.force_login(org_a_admin)
    page = client.get(org_a.get_absolute_url()).content.decode()
    assert "warn and keep helping" not in page.lower()
    assert "up to 1 hour or 3 cases per month" in page
    assert "1 hours" not in page
