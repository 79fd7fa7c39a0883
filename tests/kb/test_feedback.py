"""'Was this helpful?': one vote per user or session, changes, validation, CSRF, rate limit."""

import re

from django.test import Client
from django.urls import reverse

import pytest

from kb.models import ArticleFeedback
from kb.services import FEEDBACK_RATE_LIMIT, record_feedback

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def article(section, make_article):
    return make_article(section, "Configure the APN")


def url(page):
    return reverse("kb:feedback", args=[page.pk])


def test_article_page_has_the_feedback_form(client, article):
    body = client.get(article.url).content.decode()
    form = re.search(r'<form class="article-feedback".*?</form>', body, re.S).group(0)
    assert f'action="{url(article)}"' in form and 'method="post"' in form
    assert "csrfmiddlewaretoken" in form
    assert re.search(
        r'<button type="submit"[^>]*name="helpful" value="yes"[^>]*>Yes</button>', form
    )
    assert re.search(r'<button type="submit"[^>]*name="helpful" value="no"[^>]*>No</button>', form)
    assert '<label for="feedback-comment">' in form
    assert 'aria-live="polite"' in form


def test_anonymous_vote_without_js_redirects_back_with_a_message(client, article):
    response = client.post(url(article), {"helpful": "yes"})
    assert response.status_code == 302
    assert response["Location"] == article.url + "#feedback"
    feedback = ArticleFeedback.objects.get()
    assert feedback.helpful is True and feedback.user is None and feedback.session_key
    page = client.get(response["Location"]).content.decode()
    assert "Thanks for your feedback" in page
    assert "You answered <strong>Yes</strong>" in page
    assert 'value="yes" aria-pressed="true"' in page


def test_same_session_changes_its_vote_instead_of_adding_one(client, article):
    client.post(url(article), {"helpful": "yes", "comment": "Clear steps"})
    response = client.post(url(article), {"helpful": "no"}, **JSON)
    assert response.status_code == 200
    assert response.json()["message"].startswith("Your answer was updated.")
    feedback = ArticleFeedback.objects.get()
    assert feedback.helpful is False
    assert feedback.comment == "Clear steps"  # an empty comment keeps the earlier one
    client.post(url(article), {"helpful": "no", "comment": "Step 3 fails"})
    assert ArticleFeedback.objects.get().comment == "Step 3 fails"


def test_another_session_is_another_vote(client, article):
    client.post(url(article), {"helpful": "yes"})
    Client().post(url(article), {"helpful": "no"})
    assert ArticleFeedback.objects.count() == 2


def test_signed_in_user_votes_once_across_sessions(article, member):
    for helpful in ("yes", "no"):
        browser = Client()
        browser.force_login(member)
        browser.post(url(article), {"helpful": helpful})
    feedback = ArticleFeedback.objects.get()
    assert feedback.user == member and feedback.helpful is False


def test_json_answer_for_fetch(client, article):
    response = client.post(url(article), {"helpful": "no", "comment": "Missing AT+CGATT"}, **JSON)
    assert response.status_code == 200
    data = response.json()
    assert data == {"ok": True, "message": data["message"], "helpful": "no"}
    assert "ask the Community" in data["message"]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "Choose Yes or No."),
        ({"helpful": "maybe"}, "Choose Yes or No."),
        ({"helpful": "yes", "comment": "x" * 1001}, "under 1000 characters"),
    ],
)
def test_invalid_input_is_rejected_with_a_clear_message(client, article, data, error):
    response = client.post(url(article), data, **JSON)
    assert response.status_code == 400
    assert error in response.json()["message"]
    assert not ArticleFeedback.objects.exists()
    response = client.post(url(article), data, follow=True)
    assert error in response.content.decode()


def test_comment_is_cleaned_and_escaped_on_output(client, article, superuser):
    client.post(url(article), {"helpful": "no", "comment": "  <b>bad</b>\x07 page\n\n\n\nreally "})
    assert ArticleFeedback.objects.get().comment == "<b>bad</b> page\n\nreally"
    admin = Client()
    admin.force_login(superuser)
    body = admin.get(reverse("kb_feedback_report")).content.decode()
    assert "&lt;b&gt;bad&lt;/b&gt;" in body and "<b>bad</b>" not in body


def test_csrf_token_is_required(article):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(url(article), {"helpful": "yes"})
    assert response.status_code == 403
    assert not ArticleFeedback.objects.exists()
    page = browser.get(article.url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = browser.post(url(article), {"helpful": "yes", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert ArticleFeedback.objects.count() == 1


def test_only_post_and_only_live_resource_pages(client, article, section, make_article):
    assert client.get(url(article)).status_code == 405
    draft = make_article(section, "Draft", live=False)
    assert client.post(url(draft), {"helpful": "yes"}).status_code == 404
    assert client.post(url(section), {"helpful": "yes"}).status_code == 404
    assert client.post(reverse("kb:feedback", args=[999999]), {"helpful": "yes"}).status_code == 404


def test_rate_limit(client, article, section, make_article):
    other = make_article(section, "Other")
    for n in range(FEEDBACK_RATE_LIMIT):
        target = article if n % 2 else other
        assert client.post(url(target), {"helpful": "yes"}, **JSON).status_code == 200
    response = client.post(url(article), {"helpful": "no"}, **JSON)
    assert response.status_code == 429
    assert "try again later" in response.json()["message"]
    assert ArticleFeedback.objects.get(page=article).helpful is True


def test_rate_limit_of_cookieless_clients_behind_a_proxy_is_per_client(
    article, section, make_article, settings
):
    """Behind a trusted proxy every request comes from the proxy's address: the limit counts
    the client's address from X-Forwarded-For, so one script does not block everyone."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    other = make_article(section, "Other")

    def vote(page, client_address):
        # a fresh client each time: no session cookie, as a script would send
        return Client().post(
            url(page),
            {"helpful": "yes"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=client_address,
            **JSON,
        )

    for n in range(FEEDBACK_RATE_LIMIT):
        assert vote(article if n % 2 else other, "198.51.100.7").status_code == 200
    assert vote(article, "198.51.100.7").status_code == 429
    assert vote(article, "203.0.113.9").status_code == 200


def test_record_feedback_service_needs_a_voter(article):
    with pytest.raises(ValueError):
        record_feedback(page=article, helpful=True)
    feedback, created = record_feedback(page=article, helpful=True, session_key="abc")
    again, created_again = record_feedback(page=article, helpful=False, session_key="abc")
    assert created and not created_again and again.pk == feedback.pk
