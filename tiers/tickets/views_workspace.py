"""The staff workspace: the ticket page as support staff see it (customers get
`tiers/ticket_detail.html`). Thin: a form in, one service call, back to the page; a form with
errors is shown again with everything typed in it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from resourcecenter.roles import Power, is_support_staff, users_with_power
from tiers import forms as tier_forms
from tiers.errors import TierError
from tiers.plans.selectors import region_zone
from tiers.tickets import presence, workspace
from tiers.tickets.handling import log_time
from tiers.tickets.models import Ticket
from tiers.tickets.quotes import mark_not_covered
from tiers.tickets.resolution import set_estimated_resolution
from tiers.tickets.workspace_forms import NOTE, REPLY, ComposerForm, MergeForm, PanelForm
from tiers.tickets.workspace_selectors import severity_levels, workspace_data, workspace_ticket
from tiers.web import handle_errors


def _staff_ticket(request, case_number) -> Ticket:
    if not is_support_staff(request.user):
        raise Http404
    ticket = workspace_ticket(case_number)
    if ticket is None:
        raise Http404
    return ticket


def render_workspace(request, ticket, *, composer=None, panel=None, status=200):
    data = workspace_data(ticket, request.user)
    others = presence.touch(ticket.pk, request.user)
    context = {
        "ticket": ticket,
        "staff": True,
        "others": others,
        "poll_seconds": presence.POLL_SECONDS,
        "composer": composer or ComposerForm(macros=data["macros"]),
        "panel": panel
        or PanelForm.for_ticket(ticket, levels=data["levels"], analysts=data["analysts"]),
        "merge_form": MergeForm(),
        "cc_candidates": list(workspace.cc_candidates(ticket)),
        "staff_form": tier_forms.StaffTicketForm(),
        "ticket_zone": region_zone(ticket.region),
        "traces": ticket.traces.select_related("requested_by"),
        **data,
    }
    return render(request, "tiers/ticket_workspace.html", context, status=status)


def composer_like(request, ticket, reply_form) -> ComposerForm:
    """The workspace's composer holding what a refused reply form (tiers.forms.ReplyForm,
    posted to the reply URL) carried, with its errors: nothing typed is lost."""
    data = workspace_data(ticket, request.user)
    mode = NOTE if reply_form.data.get("internal") else REPLY
    composer = ComposerForm(
        {"mode": mode, "body": reply_form.data.get("body", "")}, macros=data["macros"]
    )
    composer.full_clean()
    for field, errors in reply_form.errors.items():
        for error in errors:
            composer.add_error(field if field in composer.fields else None, error)
    if request.FILES:
        composer.add_error("attachments", "Please attach the files again.")
    return composer


def workspace_page(request, case_number):
    """GET of the ticket page for support staff (called by tiers.tickets.views.ticket_detail)."""
    return render_workspace(request, _staff_ticket(request, case_number))


@login_required
@require_POST
def compose(request, case_number):
    ticket = _staff_ticket(request, case_number)
    data = workspace_data(ticket, request.user)
    form = ComposerForm(request.POST, request.FILES, macros=data["macros"])
    if form.is_valid():
        note = form.cleaned_data["mode"] == NOTE
        try:
            workspace.compose(
                ticket=ticket,
                by=request.user,
                body=form.cleaned_data["body"],
                internal=note,
                uploads=tier_forms.uploads_from(form.cleaned_data["attachments"]),
                macro=form.cleaned_data["macro"],
            )
        except TierError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Internal note added." if note else "Reply sent.")
            return redirect(ticket)
    if request.FILES:
        form.add_error("attachments", "Please attach the files again.")
    return render_workspace(request, ticket, composer=form, status=400)


@login_required
@require_POST
def update(request, case_number):
    ticket = _staff_ticket(request, case_number)
    data = workspace_data(ticket, request.user)
    form = PanelForm(request.POST, levels=data["levels"], analysts=data["analysts"])
    if form.is_valid():
        values = form.cleaned_data
        change = workspace.PanelChange(
            status=values["status"],
            severity=values["severity"],
            assignee=form.analysts.get(values["assignee"]) if values["assignee"] else None,
            category=values["category"],
        )
        try:
            done = workspace.update_ticket(ticket=ticket, by=request.user, change=change)
        except TierError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Saved: {', '.join(done)}." if done else "No changes.")
            return redirect(ticket)
    return render_workspace(request, ticket, panel=form, status=400)


@login_required
@require_POST
def staff_action(request, case_number):
    """One of the workspace's single-purpose forms (log time, quote work not covered, the public
    fix, the resolution estimate), named by its `action`; a refused one comes back to the
    workspace with the reason. `status`, `severity` and `assign` are one-field side-panel changes
    and go through the panel's service."""
    ticket = _staff_ticket(request, case_number)
    analysts = users_with_power(Power.WORK_TICKETS)
    form = tier_forms.StaffTicketForm(
        request.POST, levels=severity_levels(ticket), analysts=analysts
    )
    try:
        with timezone.override(region_zone(ticket.region)):  # the zone the page names
            valid = form.is_valid()
        if not valid:
            errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
            raise TierError(f"Check the form: {errors}")
        message = _act(request, ticket, analysts, form.cleaned_data)
    except TierError as exc:
        messages.error(request, str(exc))
        return redirect(ticket)
    messages.success(request, message)
    return redirect(ticket)


def _panel_change(action: str, data, analysts) -> workspace.PanelChange:
    if action == "status":
        return workspace.PanelChange(status=data["status"])
    if action == "severity":
        return workspace.PanelChange(severity=data["severity"])
    analyst = analysts.filter(pk=data["analyst"]).first() if data["analyst"] else None
    return workspace.PanelChange(assignee=analyst)


def _act(request, ticket, analysts, data) -> str:
    action, by = data["action"], request.user
    if action in ("status", "severity", "assign"):
        change = _panel_change(action, data, analysts)
        workspace.update_ticket(ticket=ticket, by=by, change=change)
    elif action == "time":
        log_time(
            ticket=ticket,
            analyst=by,
            minutes=data["minutes"],
            category=data["category"],
            note=data["note"],
        )
    elif action == "not_covered":
        mark_not_covered(
            ticket=ticket,
            reason=data["exclusion"],
            amount=data["amount"],
            description=data["description"],
            by=by,
        )
    elif action == "etr":
        set_estimated_resolution(ticket=ticket, by=by, when=data["estimated_resolution"])
        return "Estimated resolution saved; the customer has been told."
    elif action == "resolution":
        publish = bool(request.POST.get("publish"))
        workspace.save_public_fix(
            ticket=ticket, by=by, text=data["resolution_public"], publish=publish
        )
        if publish:
            return "The fix was posted to the thread and marked as solved."
    return "Saved."


@login_required
@require_POST
@handle_errors
def merge(request, case_number):
    ticket = _staff_ticket(request, case_number)
    form = MergeForm(request.POST)
    if not form.is_valid():
        raise TierError("Type the case number to merge this case into.")
    target = workspace.merge_ticket(
        duplicate=ticket, target_case=form.cleaned_data["target"], by=request.user
    )
    messages.success(request, f"{ticket.case_number} was merged into {target.case_number}.")
    return redirect(target)


@login_required
@require_POST
@handle_errors
def cc(request, case_number):
    ticket = _staff_ticket(request, case_number)
    raw = request.POST.get("user", "")
    if not raw.isdigit():
        raise TierError("Choose a member of the organisation.")
    if request.POST.get("remove"):
        workspace.remove_cc(ticket=ticket, user_id=int(raw), by=request.user)
        messages.success(request, "No longer copied.")
    else:
        workspace.add_cc(ticket=ticket, user_id=int(raw), by=request.user)
        messages.success(request, "Copied on the case's public updates.")
    return redirect(ticket)


@login_required
@require_http_methods(["GET", "POST"])
def presence_view(request, case_number):
    """Who else has the ticket open (POST also records the caller, with `typing`)."""
    if not is_support_staff(request.user):
        raise Http404
    ticket_id = Ticket.objects.filter(case_number=case_number).values_list("pk", flat=True).first()
    if ticket_id is None:
        raise Http404
    if request.method == "POST":
        others = presence.touch(ticket_id, request.user, typing=request.POST.get("typing") == "1")
    else:
        others = presence.others(ticket_id, request.user)
    return JsonResponse(
        {"others": [{"name": o.name, "typing": o.typing, "text": o.describe()} for o in others]},
        headers={"Cache-Control": "private, no-store"},
    )
