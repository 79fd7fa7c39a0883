"""The satisfaction survey: sent once when a ticket is resolved, one-click signed links, the
first rating counts, forged and expired links say so; the rating shows to staff."""

import datetime as dt
import re

from django.core import mail, signing

import pytest

from tiers.models import SatisfactionRating
from tiers.services import set_status
from tiers.tickets import satisfaction


@pytest.fixture
def resolved(org_a, org_a_member, open_ticket, staff_user, django_capture_on_commit_callbacks):
    ticket = open_ticket(org_a, org_a_member, subject="Modem reboots")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        set_status(ticket=ticket, status="resolved", by=staff_user)
    return ticket


def links(message) -> dict[int, str]:
    found = re.findall(r"(\d) - [A-Za-z ]+: (http\S+)", message.body)
    return {int(n): re.sub(r"^https?://[^/]+", "", link) for n, link in found}


def survey_mail():
    return [m for m in mail.outbox if "How did we do?" in m.subject]


def test_resolving_sends_the_survey_once(
    resolved, org_a_member, staff_user, django_capture_on_commit_callbacks
):
    (message,) = survey_mail()
    assert message.to == [org_a_member.email]
    assert sorted(links(message)) == [1, 2, 3, 4, 5]
    with django_capture_on_commit_callbacks(execute=True):
        set_status(ticket=resolved, status="in_progress", by=staff_user)
        set_status(ticket=resolved, status="resolved", by=staff_user)
    assert len(survey_mail()) == 1
    assert SatisfactionRating.objects.filter(ticket=resolved).count() == 1


def test_one_click_records_and_a_second_click_changes_nothing(client, resolved):
    four = links(survey_mail()[0])[4]
    path, query = four.split("?")
    page = client.get(four)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-autosubmit="1"' in html and 'value="4" id="rating-4" required checked' in html
    # The page alone records nothing (link scanners fetch it); its script submits it.
    assert SatisfactionRating.objects.get().rating is None
    response = client.post(path, {"rating": "4"})
    assert response.status_code == 302
    survey = SatisfactionRating.objects.get()
    assert survey.rating == 4 and survey.rated_at
    assert resolved.events.filter(kind="satisfaction").count() == 1
    # Another link, another click: the first rating stands and is shown.
    one = links(survey_mail()[0])[1]
    client.post(one.split("?")[0], {"rating": "1"})
    html = client.get(one).content.decode()
    assert SatisfactionRating.objects.get().rating == 4
    assert "your rating is <strong>4 of 5 (satisfied)" in html
    assert "data-autosubmit" not in html
    # A comment, once.
    client.post(path, {"comment": "Quick & <b>kind</b>"})
    client.post(path, {"comment": "Overwrite"})
    assert SatisfactionRating.objects.get().comment == "Quick & <b>kind</b>"
    assert "Quick &amp; &lt;b&gt;kind&lt;/b&gt;" in client.get(path).content.decode()


def test_rating_with_a_comment_in_one_go(client, resolved):
    path = links(survey_mail()[0])[2].split("?")[0]
    client.post(path, {"rating": "2", "comment": "Slow first answer."})
    survey = SatisfactionRating.objects.get()
    assert (survey.rating, survey.comment) == (2, "Slow first answer.")


@pytest.mark.parametrize("rating", ["0", "6", "x", ""])
def test_out_of_range_rating_is_a_clear_error(client, resolved, rating):
    path = links(survey_mail()[0])[3].split("?")[0]
    response = client.post(path, {"rating": rating, "comment": "kept text"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose a rating from 1 to 5." in html and "kept text" in html
    assert SatisfactionRating.objects.get().rating is None


def test_forged_and_expired_links(client, resolved, monkeypatch):
    path = links(survey_mail()[0])[5].split("?")[0]
    forged = path[:-3] + ("AAA" if not path.endswith("AAA/") else "BBB") + "/"
    response = client.get(forged)
    assert response.status_code == 400
    assert "This rating link is not valid" in response.content.decode()
    response = client.post(forged, {"rating": "5"})
    assert response.status_code == 400
    other = signing.TimestampSigner(salt="another").sign_object({"t": resolved.pk})
    assert client.get(f"/support/rate/{other}/").status_code == 400

    real = signing.TimestampSigner.unsign_object

    def expired(self, value, **kwargs):
        kwargs["max_age"] = dt.timedelta(seconds=-1)
        return real(self, value, **kwargs)

    monkeypatch.setattr(signing.TimestampSigner, "unsign_object", expired)
    response = client.get(path)
    assert response.status_code == 400
    assert "This rating link has expired" in response.content.decode()
    assert SatisfactionRating.objects.get().rating is None


def test_rating_shows_to_staff_in_workspace_and_queue(client, resolved, staff_user):
    satisfaction.record(resolved, rating=5, comment="Great")
    client.force_login(staff_user)
    html = client.get(f"/support/tickets/{resolved.case_number}/").content.decode()
    assert "5/5: “Great”" in html
    from tiers.apps import grant_support_staff

    grant_support_staff(sender=None)
    html = client.get("/admin/tiers/ticket/", {"status": "resolved"}).content.decode()
    assert "5/5" in html
