"""Issue 14: a "Devices affected" of 2^63 answered HTTP 500 instead of a form error."""

import pytest

from tiers.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("devices", [str(2**63), "1" + "0" * 30, "1000000001"])
def test_devices_affected_beyond_any_deployment_is_a_form_error(
    client, org_a, org_a_member, devices
):
    client.force_login(org_a_member)
    response = client.post(
        "/support/tickets/new/",
        {
            "organisation": org_a.pk,
            "subject": "Modems drop off",
            "category": "troubleshooting",
            "description": "Since this morning.",
            "devices_affected": devices,
            "customer_severity": 3,
        },
    )
    assert response.status_code == 200
    assert "less than or equal to" in response.content.decode()
    assert not Ticket.objects.exists()
