"""The satisfaction survey: sent once when a ticket is first resolved, answered by a signed link.

The link carries a signed, time-limited token naming the ticket (no login needed: it is the
requester's own mailbox that proves who they are). The first rating counts; a later click
shows it and changes nothing. A comment may be added once, with the rating or after it.
"""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from resourcecenter.emails import queue_templated_email
from tiers.errors import TierError
from tiers.mail import absolute
from tiers.tickets.models import Ticket
from tiers.tickets.timeline import log_event
from tiers.tickets.work_models import SatisfactionRating

SALT = "tiers.satisfaction"
LINK_DAYS = 30
RATINGS = {
    1: "Very dissatisfied",
    2: "Dissatisfied",
    3: "Neutral",
    4: "Satisfied",
    5: "Very satisfied",
}
MAX_COMMENT = 2000


class SurveyLinkError(TierError):
    """The link is forged, damaged or expired (the message says which, in words)."""


def token_for(ticket: Ticket) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"t": ticket.pk})


def ticket_for_token(token: str) -> Ticket:
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(
            token, max_age=dt.timedelta(days=LINK_DAYS)
        )
    except signing.SignatureExpired as exc:
        raise SurveyLinkError(
            f"This rating link has expired (links work for {LINK_DAYS} days). Thank you all the "
            "same: you can still reply to the case from its page."
        ) from exc
    except signing.BadSignature as exc:
        raise SurveyLinkError(
            "This rating link is not valid. Please use the link from the e-mail exactly as sent."
        ) from exc
    ticket = Ticket.objects.select_related("satisfaction").filter(pk=data.get("t")).first()
    if ticket is None or not hasattr(ticket, "satisfaction"):
        raise SurveyLinkError("This rating link is not valid (the case no longer exists).")
    return ticket


def survey_url(ticket: Ticket, rating: int | None = None) -> str:
    url = absolute(reverse("tiers:satisfaction", args=[token_for(ticket)]))
    return f"{url}?rating={rating}" if rating else url


def send_survey(ticket: Ticket, now=None) -> SatisfactionRating | None:
    """Once per ticket, when it is first resolved: the requester gets the one-click rating."""
    survey, created = SatisfactionRating.objects.get_or_create(
        ticket=ticket, defaults={"sent_to": ticket.requester, "sent_at": now or timezone.now()}
    )
    if not created or not ticket.requester.email:
        return None
    queue_templated_email(
        [ticket.requester.email],
        f"[{ticket.case_number}] How did we do? {ticket.subject}",
        "tiers/emails/satisfaction",
        {
            "ticket": ticket,
            "name": ticket.requester.public_name,
            "links": [(n, label, survey_url(ticket, n)) for n, label in RATINGS.items()],
            "days": LINK_DAYS,
            "case_url": absolute(ticket.get_absolute_url()),
        },
    )
    log_event(ticket, "survey_sent", "Satisfaction survey sent to the requester")
    return survey


def record(ticket: Ticket, *, rating: int | None, comment: str = "", now=None) -> bool:
    """Record the rating (only the first counts) and a comment (once). True if anything new
    was stored."""
    comment = (comment or "").strip()[:MAX_COMMENT]
    if rating is not None and rating not in RATINGS:
        raise TierError("Choose a rating from 1 to 5.")
    now = now or timezone.now()
    with transaction.atomic():
        survey = SatisfactionRating.objects.select_for_update().get(ticket=ticket)
        if survey.rating is None and rating is None:
            raise TierError("Choose a rating from 1 to 5.")
        changed = []
        if survey.rating is None and rating is not None:
            survey.rating, survey.rated_at = rating, now
            changed += ["rating", "rated_at"]
        if comment and not survey.comment and survey.rating is not None:
            survey.comment = comment
            changed.append("comment")
        if not changed:
            return False
        survey.save(update_fields=changed)
        summary = (
            f"Customer rated the support {survey.rating}/5 ({RATINGS[survey.rating].lower()})"
            if "rating" in changed
            else "Customer added a comment to their rating"
        )
        log_event(ticket, "satisfaction", summary, rating=survey.rating)
    return True
