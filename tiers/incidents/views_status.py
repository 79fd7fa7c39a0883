"""The public status page (/status/): no login, served from the cache (tiers.incidents.
statuscache), rendered without the request so no visitor's session or name can end up in a
copy another visitor gets. Those views are marked `serves_without_session`: nothing loads the
session or user for them, so signed-in visitors also get the last good copy while the
database is down. The subscription screens are ordinary (uncached) views."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from resourcecenter import clientip, ratelimit
from resourcecenter.middleware import serves_without_session
from tiers.errors import TierError
from tiers.incidents import publishing, selectors, statuscache, subscriptions, svg
from tiers.incidents.models import Component
from tiers.mail import absolute

# Ten subscription requests an hour per client address; three confirmation e-mails an hour to
# one address, so the form cannot become a way to flood someone else's inbox.
SUBSCRIBE_RATE_PER_CLIENT = ratelimit.Policy("status.subscribe", ((10, 3600),))
SUBSCRIBE_RATE_PER_ADDRESS = ratelimit.Policy("status.subscribe-address", ((3, 3600),))


def _respond(rendered: statuscache.Rendered) -> HttpResponse:
    response = HttpResponse(rendered.content, content_type=rendered.content_type)
    response["Cache-Control"] = "public, max-age=30"
    if rendered.stale:
        response["X-Status-Stale"] = "1"
    return response


def _serve(key: str, render_page) -> HttpResponse:
    try:
        rendered = statuscache.get_or_render(key, render_page, expires=selectors.next_change)
    except statuscache.Unavailable:
        return HttpResponse(
            "The status page is temporarily unavailable.", status=503, content_type="text/plain"
        )
    if rendered is None:
        raise Http404
    return _respond(rendered)


def _page(template: str, context: dict) -> tuple[str, str]:
    context = {"SITE_NAME": settings.WAGTAIL_SITE_NAME, **context}
    return render_to_string(template, context), "text/html; charset=utf-8"


@serves_without_session
def status(request):
    """Current state, open incidents, maintenance and the 90-day uptime bars."""

    def render_page():
        summary = selectors.summary()
        histories = selectors.uptime_history(now=summary.now)
        bars = {
            history.component.pk: {
                "svg": svg.uptime_bar(history),
                "uptime": svg.percent(history.uptime),
                "text": svg.uptime_text(history),
            }
            for history in histories
        }
        for row in summary.components:
            row.bar = bars.get(row.component.pk)
        days = len(histories[0].days) if histories else 0
        return _page("tiers/status/status.html", {"summary": summary, "days": days})

    return _serve("page", render_page)


@serves_without_session
def history(request):
    """The month-by-month archive of incidents, a year per page."""
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        raise Http404 from None
    if page > 20:
        raise Http404

    def render_page():
        months = selectors.archive(page=page)
        return _page(
            "tiers/status/history.html",
            {"months": months, "page": page, "older": selectors.has_older(None, page)},
        )

    return _serve(f"history:{page}", render_page)


@serves_without_session
def incident(request, pk: int):
    def render_page():
        found = selectors.incident(pk)
        if found is None:
            return None
        return _page("tiers/status/incident.html", {"incident": found})

    return _serve(f"incident:{pk}", render_page)


@serves_without_session
def summary_json(request):
    """The current summary for customers' own dashboards."""

    def render_page():
        summary = selectors.summary()
        data = {
            "page": {"name": settings.WAGTAIL_SITE_NAME, "url": absolute(reverse("status:index"))},
            "generated_at": summary.now.isoformat(),
            "status": {"state": summary.state, "description": summary.state_text},
            "components": [
                {
                    "id": row.component.slug,
                    "name": row.component.name,
                    "group": row.component.group,
                    "region": row.component.region,
                    "network_partner": row.component.network_partner,
                    "state": row.state,
                }
                for row in summary.components
            ],
            "incidents": [
                {
                    **publishing.incident_payload(item),
                    "updates": [
                        {
                            "status": update.status,
                            "body": update.body,
                            "created_at": update.created_at.isoformat(),
                        }
                        for update in item.updates.all()
                    ],
                }
                for item in summary.open_incidents
            ],
            "maintenance": [
                publishing.maintenance_payload(window)
                for window in summary.maintenance_now + summary.maintenance_ahead
            ],
        }
        return json.dumps(data, indent=1), "application/json"

    response = _serve("summary.json", render_page)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@serves_without_session
def feed(request):
    """Atom feed of every update of public incidents."""

    def render_page():
        atom = Atom1Feed(
            title=f"{settings.WAGTAIL_SITE_NAME} status",
            link=absolute(reverse("status:index")),
            description="Incidents and their updates",
            feed_url=absolute(reverse("status:feed")),
            language="en",
        )
        for update in selectors.recent_updates():
            problem = update.problem
            atom.add_item(
                title=f"{problem.title} - {update.get_status_display()}",
                link=absolute(problem.get_status_url()),
                description=update.body,
                unique_id=absolute(problem.get_status_url()) + f"#update-{update.pk}",
                pubdate=update.created_at,
                updateddate=update.created_at,
            )
        return atom.writeString("utf-8"), "application/atom+xml; charset=utf-8"

    return _serve("feed.atom", render_page)


# --- Following the page (not cached: forms and signed links) ---------------------------------


class BoundedIdsChoiceField(forms.ModelMultipleChoiceField):
    """Ids outside the database's integer range are invalid choices, not a database error."""

    def _check_values(self, value):
        for pk in value:
            try:
                number = int(pk)
            except (TypeError, ValueError):
                continue  # the parent reports it as an invalid value
            if not -(2**63) <= number < 2**63:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


class ComponentChoiceForm(forms.Form):
    components = BoundedIdsChoiceField(
        queryset=Component.objects.filter(is_public=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None chosen: every component.",
    )


class SubscribeForm(ComponentChoiceForm):
    email = forms.EmailField(label="E-mail address")
    field_order = ["email", "components"]


class WebhookForm(ComponentChoiceForm):
    url = forms.URLField(label="Receiver URL", max_length=500, assume_scheme="https")
    contact_email = forms.EmailField(label="Contact e-mail (confirms the webhook)")
    field_order = ["url", "contact_email", "components"]


@require_http_methods(["GET", "POST"])
def subscribe(request):
    """E-mail (double opt-in) and webhook subscriptions; the Atom feed and JSON are links."""
    kind = request.POST.get("kind") if request.method == "POST" else None
    email_form = SubscribeForm(request.POST if kind == "email" else None, prefix="e")
    webhook_form = WebhookForm(request.POST if kind == "webhook" else None, prefix="w")
    done, status = None, 200
    form = {"email": email_form, "webhook": webhook_form}.get(kind)
    if form is not None and form.is_valid():
        data = form.cleaned_data
        address = (data.get("email") or data.get("contact_email") or "").lower()
        wait = SUBSCRIBE_RATE_PER_CLIENT.consume(
            clientip.rate_limit_key(clientip.client_ip(request))
        ) or SUBSCRIBE_RATE_PER_ADDRESS.consume(address)
        if wait is not None:
            form.add_error(
                None,
                "Too many subscription requests from here or for this address: "
                f"try again in {ratelimit.human_wait(wait)}.",
            )
            status = 429
        else:
            try:
                done = _subscribe(kind, data)
            except TierError as exc:
                form.add_error(None, str(exc))
    return render(
        request,
        "tiers/status/subscribe.html",
        {"email_form": email_form, "webhook_form": webhook_form, "done": done},
        status=status,
    )


def _subscribe(kind: str, data: dict) -> str:
    if kind == "email":
        subscriptions.subscribe(email=data["email"], components=data["components"])
    else:
        subscriptions.register_webhook(
            url=data["url"], contact_email=data["contact_email"], components=data["components"]
        )
    return kind


@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    """GET asks (mail scanners follow links); POST confirms."""
    if request.method == "POST":
        subscriber = subscriptions.confirm(token)
        return render(
            request, "tiers/status/link_result.html", {"action": "confirm", "ok": bool(subscriber)}
        )
    return render(request, "tiers/status/link_ask.html", {"action": "confirm"})


@csrf_exempt  # the signed token is the credential; RFC 8058 one-click POSTs carry no cookie
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET asks; POST (the button, or a mail client's one-click) unsubscribes."""
    if request.method == "POST":
        removed = subscriptions.unsubscribe(token)
        return render(
            request, "tiers/status/link_result.html", {"action": "unsubscribe", "ok": removed}
        )
    known = subscriptions.check_unsubscribe(token) is not None
    return render(request, "tiers/status/link_ask.html", {"action": "unsubscribe", "known": known})


@require_http_methods(["GET", "POST"])
def webhook_confirm(request, token: str):
    if request.method == "POST":
        endpoint, first = subscriptions.confirm_webhook(token)
        return render(
            request,
            "tiers/status/link_result.html",
            {"action": "webhook", "ok": bool(endpoint), "endpoint": endpoint, "first": first},
        )
    return render(request, "tiers/status/link_ask.html", {"action": "webhook"})
