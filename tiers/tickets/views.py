"""Customer-facing ticket pages, and escalating a forum thread to a ticket. Thin: forms in,
one service call, redirect.

Every ticket lookup goes through `permissions.visible_tickets`, so another organisation's case
number is a 404 exactly like one that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from forum.models import Thread
from resourcecenter.roles import is_support_staff
from tiers import forms, permissions, selectors
from tiers.errors import TierError
from tiers.incidents import linking
from tiers.plans.models import SeverityLevel
from tiers.tickets import traces, views_workspace
from tiers.tickets.attachments import Upload
from tiers.tickets.conversation import add_reply, can_reopen, close_ticket
from tiers.tickets.handling import (
    dispute_severity,
    request_escalation,
)
from tiers.tickets.models import NetworkTrace, Quote, Ticket, TicketAttachment
from tiers.tickets.opening import open_ticket
from tiers.tickets.promotion import (
    TicketDetails,
    promote_thread,
    thread_prefill,
)
from tiers.tickets.quotes import decide_quote
from tiers.web import handle_errors


def _ticket_for(request, case_number) -> Ticket:
    ticket = (
        permissions.visible_tickets(request.user)
        .select_related(
            "organisation",
            "plan__severity_scheme",
            "requester",
            "assigned_to",
            "opened_by",
            "incident",
            "merged_into",
        )
        .filter(case_number=case_number)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


@login_required
def ticket_list(request):
    if is_support_staff(request.user):
        # Staff have one queue: the admin's (due first, filters, saved views, bulk assign).
        return redirect("tiers_ticket:index")
    tickets = permissions.visible_tickets(request.user).select_related("organisation", "requester")
    state = request.GET.get("state", "open")
    if state == "open":
        tickets = tickets.filter(status__in=Ticket.OPEN_STATUSES)
    elif state == "closed":
        tickets = tickets.filter(status__in=[Ticket.RESOLVED, Ticket.CLOSED])
    org = request.GET.get("org")
    if org and org.isdigit():
        tickets = tickets.filter(organisation_id=int(org))
    tickets = tickets.order_by("-created_at")[:200]
    ticket_orgs = selectors.ticket_organisations(request.user)
    context = {"tickets": tickets, "state": state, "ticket_orgs": ticket_orgs, "is_staff": False}
    if not ticket_orgs:
        # Without a ticket plan the page says what the plan sold for tickets adds, from its data.
        context["upgrade_plan"] = selectors.upgrade_plan()
        context["default_plan_name"] = selectors.default_plan_name()
    return render(request, "tiers/ticket_list.html", context)


def _levels_for(plans_list):
    scheme_ids = {p.severity_scheme_id for p in plans_list if p.severity_scheme_id}
    return list(
        SeverityLevel.objects.filter(scheme_id__in=scheme_ids)
        .select_related("scheme")
        .order_by("scheme_id", "number")
    )


@login_required
def ticket_new(request):
    choices = selectors.ticket_organisations(request.user)
    if not choices:
        return render(
            request, "tiers/ticket_new_upgrade.html", {"plans": selectors.comparison_plans()}
        )
    # Each organisation is offered its own plan's severity levels (schemes may differ).
    levels = _levels_for({plan for _, plan in choices})
    incidents = list(linking.linkable_incidents(request.user)[:20])
    form = forms.TicketForm(
        request.POST or None,
        request.FILES or None,
        organisations=choices,
        levels=levels,
        incidents=incidents,
        initial={"incident": request.GET.get("incident", "")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = next((org for org, _ in choices if org.pk == data["organisation"]), None)
        if organisation is None:
            form.add_error("organisation", "Choose one of your organisations.")
        else:
            try:
                ticket = open_ticket(
                    organisation=organisation,
                    requester=request.user,
                    subject=data["subject"],
                    description=data["description"],
                    devices_affected=data["devices_affected"],
                    incident_at=data["incident_at"],
                    conditions=data["conditions"],
                    customer_severity=data["customer_severity"],
                    category=data["category"],
                    uploads=forms.uploads_from(data["attachments"]),
                    incident=data.get("incident"),
                )
            except TierError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    f"Case {ticket.case_number} is open. We sent an acknowledgement by e-mail.",
                )
                return redirect(ticket)
    return render(request, "tiers/ticket_new.html", {"form": form, "levels": levels})


@login_required
def ticket_detail(request, case_number):
    if is_support_staff(request.user):
        # Staff work the ticket in the workspace (one page, not a second staff view).
        return views_workspace.workspace_page(request, case_number)
    return _render_detail(request, _ticket_for(request, case_number))


def _render_detail(request, ticket, *, status: int = 200, **bound_forms):
    """The customer's ticket page; a form that failed comes back bound (`bound_forms`), with its
    errors and everything typed, instead of a redirect that would lose the text."""
    if is_support_staff(request.user):
        reply = bound_forms.get("reply_form")
        return views_workspace.render_workspace(
            request,
            ticket,
            composer=views_workspace.composer_like(request, ticket, reply) if reply else None,
            status=status,
        )
    conversation = ticket.messages.select_related("author").prefetch_related("attachments")
    levels = _levels_for([ticket.plan])
    membership = permissions.membership_in(request.user, ticket.organisation)
    context = {
        "ticket": ticket,
        "conversation": conversation.filter(is_internal=False),
        "attachments": ticket.attachments.filter(message__isnull=True, is_internal=False),
        "events": ticket.events.select_related("actor").filter(public=True),
        "levels": levels,
        "user_time_zone": membership.time_zone if membership else "",
        "reply_form": forms.ReplyForm(),
        "dispute_form": forms.DisputeForm(levels=levels, initial={"requested": ticket.severity}),
        "escalation_form": forms.EscalationForm(),
        "quotes": ticket.quotes.all(),
        "can_reopen": can_reopen(ticket),
        "traces": ticket.traces.select_related("requested_by"),
        "trace_form": forms.TraceRequestForm() if traces.may_request(ticket) else None,
    }
    if ticket.is_open and ticket.incident_id is None:
        context["linkable"] = list(linking.linkable_incidents(request.user)[:20])
    context.update(bound_forms)
    return render(request, "tiers/ticket_detail.html", context, status=status)


def _submit(request, ticket, *, act, done: str, **bound_form):
    """One form of the case page, posted: valid and accepted by the service (`act`, given the
    cleaned data) -> `done` and back to the case; otherwise the page again (400) with the form as
    typed, holding the field errors or the rule the service refused on. `bound_form` is the
    form under its name in the page's context (e.g. `dispute_form=...`)."""
    ((name, form),) = bound_form.items()
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except TierError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return redirect(ticket)
    return _render_detail(request, ticket, status=400, **{name: form})


@login_required
@require_POST
def ticket_reply(request, case_number):
    ticket = _ticket_for(request, case_number)
    form = forms.ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        internal = form.cleaned_data["internal"] and is_support_staff(request.user)
        try:
            add_reply(
                ticket=ticket,
                author=request.user,
                body=form.cleaned_data["body"],
                internal=internal,
                uploads=forms.uploads_from(form.cleaned_data["attachments"]),
            )
        except TierError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Internal note added." if internal else "Reply sent.")
            return redirect(ticket)
    return _render_detail(request, ticket, status=400, reply_form=form)


@login_required
@require_POST
@handle_errors
def ticket_link_incident(request, case_number):
    """Attach the case to a current incident instead of describing it again."""
    ticket = _ticket_for(request, case_number)
    pk = request.POST.get("incident", "")
    incident = (
        linking.linkable_incidents(request.user).filter(pk=pk).first() if pk.isdigit() else None
    )
    if incident is None:
        raise TierError("Choose one of the current incidents.")
    linking.link_ticket(ticket=ticket, incident=incident, by=request.user)
    messages.success(request, f"The case is attached to “{incident.title}”.")
    return redirect(ticket)


@login_required
@require_POST
def trace_request(request, case_number):
    """On a mistake the case page comes back with the form as typed and the reason."""
    ticket = _ticket_for(request, case_number)
    return _submit(
        request,
        ticket,
        trace_form=forms.TraceRequestForm(request.POST),
        act=lambda data: traces.request_trace(ticket=ticket, by=request.user, **data),
        done="Trace requested. Support attaches the capture here.",
    )


@login_required
@require_POST
@handle_errors
def trace_attach(request, case_number, pk):
    if not is_support_staff(request.user):
        raise Http404
    ticket = _ticket_for(request, case_number)
    trace = get_object_or_404(NetworkTrace, pk=pk, ticket=ticket)
    form = forms.TraceCaptureForm(request.POST, request.FILES)
    if not form.is_valid():
        raise TierError("Choose the capture file.")
    upload = form.cleaned_data["capture"]
    traces.attach_capture(
        trace=trace, by=request.user, upload=Upload(upload.name, upload.read(), upload.content_type)
    )
    messages.success(request, "Capture attached; the customer can download it from the case.")
    return redirect(ticket)


@login_required
def trace_download(request, case_number, pk):
    """Only people who see the ticket (its organisation's members, staff) reach the file."""
    ticket = _ticket_for(request, case_number)
    trace = get_object_or_404(NetworkTrace, pk=pk, ticket=ticket)
    if not trace.capture:
        raise Http404
    response = FileResponse(
        trace.capture.open("rb"), as_attachment=True, filename=trace.capture_name
    )
    response["Content-Type"] = "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
@handle_errors
def ticket_close(request, case_number):
    ticket = _ticket_for(request, case_number)
    close_ticket(ticket=ticket, by=request.user)
    messages.success(request, "The case is closed.")
    return redirect(ticket)


@login_required
@require_POST
def ticket_dispute(request, case_number):
    ticket = _ticket_for(request, case_number)
    return _submit(
        request,
        ticket,
        dispute_form=forms.DisputeForm(request.POST, levels=_levels_for([ticket.plan])),
        act=lambda data: dispute_severity(ticket=ticket, by=request.user, **data),
        done="Your analyst will review the severity with you.",
    )


@login_required
@require_POST
def ticket_escalate(request, case_number):
    ticket = _ticket_for(request, case_number)
    return _submit(
        request,
        ticket,
        escalation_form=forms.EscalationForm(request.POST),
        act=lambda data: request_escalation(ticket=ticket, by=request.user, reason=data["reason"]),
        done="Escalation requested. An escalation contact will review the case.",
    )


@login_required
@require_POST
@handle_errors
def quote_decide(request, case_number, pk):
    ticket = _ticket_for(request, case_number)
    quote = get_object_or_404(Quote, pk=pk, ticket=ticket)
    accept = request.POST.get("decision") == "accept"
    decide_quote(quote=quote, accept=accept, by=request.user)
    messages.success(request, "Quote accepted." if accept else "Quote declined.")
    return redirect(ticket)


@login_required
def attachment(request, case_number, pk):
    ticket = _ticket_for(request, case_number)
    item = get_object_or_404(TicketAttachment, pk=pk, ticket=ticket)
    if item.is_internal and not is_support_staff(request.user):
        raise Http404
    response = FileResponse(item.file.open("rb"), as_attachment=True, filename=item.filename)
    response["Content-Type"] = "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Thread to ticket --------------------------------------------------------------------------


def _thread(pk):
    return get_object_or_404(Thread.objects.select_related("author", "category"), pk=pk)


@login_required
def thread_escalate(request, pk):
    """The author of a thread escalates it to a private ticket for one of their organisations,
    after saying how severe it is, how many devices and since when (pre-filled from the thread)."""
    thread = _thread(pk)
    if thread.author_id != request.user.pk:
        raise Http404
    existing = Ticket.objects.filter(thread=thread).first()
    if existing is not None:
        return redirect(existing)
    choices = selectors.ticket_organisations(request.user)
    if not choices:
        return redirect(reverse("tiers:plans") + f"?thread={thread.pk}")
    levels = _levels_for({plan for _, plan in choices})
    posted = request.method == "POST"
    form = forms.ThreadEscalationForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        organisations=choices,
        levels=levels,
        initial=thread_prefill(thread),
    )
    if posted and form.is_valid():
        result = _escalate(request, thread, choices, form)
        if result is not None:
            messages.success(
                request,
                f"Case {result.ticket.case_number} is open. A note was posted in the thread; "
                "nothing private was shared.",
            )
            return redirect(result.ticket)
    return render(
        request,
        "tiers/thread_escalate.html",
        {"thread": thread, "choices": choices, "staff": False, "form": form, "levels": levels},
        status=400 if form.errors else 200,
    )


def _escalate(request, thread, choices, form):
    """Open the ticket from a valid escalation form; None (with the error on the form) if a
    rule refuses it."""
    data = form.cleaned_data
    organisation = next((org for org, _ in choices if org.pk == data["organisation"]), None)
    if organisation is None:
        form.add_error("organisation", "Choose which organisation this ticket is for.")
        return None
    details = TicketDetails(
        customer_severity=data["customer_severity"],
        devices_affected=data["devices_affected"],
        incident_at=data["incident_at"],
        conditions=data["conditions"],
        subject=data["subject"],
        category=data["category"],
        uploads=forms.uploads_from(data["attachments"]),
    )
    try:
        return promote_thread(
            thread=thread, by=request.user, organisation=organisation, details=details
        )
    except TierError as exc:
        form.add_error(None, str(exc))
        return None


@login_required
@handle_errors
def thread_promote(request, pk):
    """Staff promote any thread; an author without a ticket plan is offered the upgrade instead."""
    if not is_support_staff(request.user):
        raise Http404
    thread = _thread(pk)
    existing = Ticket.objects.filter(thread=thread).first()
    if existing is not None:
        return redirect(existing)
    choices = selectors.ticket_organisations(thread.author) if thread.author_id else []
    if request.method == "POST":
        org_id = request.POST.get("organisation", "")
        organisation = next((o for o, _ in choices if str(o.pk) == org_id), None)
        result = promote_thread(thread=thread, by=request.user, organisation=organisation)
        if result.upgrade_offered:
            messages.info(
                request,
                f"The author's organisation is on {selectors.default_plan_name()}: we e-mailed "
                "them the upgrade path instead of opening a ticket.",
            )
            return redirect(thread.get_absolute_url())
        messages.success(request, f"Case {result.ticket.case_number} was opened from the thread.")
        return redirect(result.ticket)
    return render(
        request,
        "tiers/thread_escalate.html",
        {
            "thread": thread,
            "choices": choices,
            "staff": True,
            "default_plan_name": selectors.default_plan_name(),
            "upgrade_plan": selectors.upgrade_plan(),
        },
    )
