"""The satisfaction survey's page, reached from the e-mail's signed links (no login needed).

Following a link shows the chosen rating ready to send; tiers.js sends it at once, so one click
in the e-mail records it, while link scanners that only fetch the page record nothing. A second
visit shows the recorded rating; a forged or expired link says so.
"""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tiers.errors import TierError
from tiers.tickets import satisfaction


@require_http_methods(["GET", "POST"])
def rate(request, token):
    try:
        ticket = satisfaction.ticket_for_token(token)
    except satisfaction.SurveyLinkError as exc:
        return render(request, "tiers/satisfaction.html", {"error": str(exc)}, status=400)
    error = ""
    if request.method == "POST":
        raw = request.POST.get("rating", "")
        rating = int(raw) if raw.isdigit() else None
        try:
            satisfaction.record(ticket, rating=rating, comment=request.POST.get("comment", ""))
        except TierError as exc:
            error = str(exc)
        else:
            return redirect(request.path)
    survey = ticket.satisfaction
    raw = request.GET.get("rating", "")
    chosen = int(raw) if raw.isdigit() and int(raw) in satisfaction.RATINGS else None
    return render(
        request,
        "tiers/satisfaction.html",
        {
            "ticket": ticket,
            "survey": survey,
            "ratings": satisfaction.RATINGS.items(),
            "chosen": chosen,
            "auto": chosen is not None and survey.rating is None and not error,
            "error": error,
            "comment": request.POST.get("comment", "")[: satisfaction.MAX_COMMENT],
            "recorded_label": satisfaction.RATINGS.get(survey.rating, ""),
        },
        status=400 if error else 200,
    )
