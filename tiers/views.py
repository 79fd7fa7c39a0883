"""Customer-facing support pages. Thin: forms in, one service call, redirect.

Every ticket lookup goes through `permissions.visible_tickets`, so another organisation's case
number is a 404 exactly like one that does not exist.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from resourcecenter.roles import Power, is_support_staff, users_with_power
from tiers import forms, permissions, selectors, services
from tiers.models import Membership, Organisation, Plan, Quote, Ticket, TicketAttachment
from tiers.services import TierError


def _handle_errors(view):
    """Service rule violations become a message and a redirect back, not a 500."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except TierError as exc:
            messages.error(request, str(exc))
            return redirect(request.POST.get("next") or request.path)

    return wrapped


# --- Plans -------------------------------------------------------------------------------------


def home(request):
    plans = selectors.comparison_plans()
    context = {"plans": plans}
    if request.user.is_authenticated:
        memberships = permissions.memberships_of(request.user)
        plan_map = selectors.plans_by_org([m.organisation_id for m in memberships])
        context["memberships"] = [(m, plan_map.get(m.organisation_id)) for m in memberships]
        context["can_open_tickets"] = any(p and p.may_open_tickets for p in plan_map.values())
        context["problems"] = selectors.current_problems(permissions.visible_problems(request.user))
        context["problems_entitled"] = bool(permissions.problem_organisations(request.user))
    return render(request, "tiers/home.html", context)


def plans(request):
    """Compare the plans: what every customer gets, and what the paid plans add."""
    plan_list = selectors.comparison_plans()
    memberships = permissions.memberships_of(request.user)
    plan_map = selectors.plans_by_org([m.organisation_id for m in memberships])
    admin_orgs = [
        (m.organisation, plan_map.get(m.organisation_id)) for m in memberships if m.is_admin
    ]
    schemes = {p.severity_scheme_id for p in plan_list if p.severity_scheme_id}
    from tiers.models import SeverityLevel

    levels = list(SeverityLevel.objects.filter(scheme_id__in=schemes))
    thread = None
    if request.GET.get("thread", "").isdigit():
        from forum.models import Thread

        thread = Thread.objects.filter(pk=request.GET["thread"]).only("id", "title").first()
    return render(
        request,
        "tiers/plans.html",
        {
            "plans": plan_list,
            "admin_orgs": admin_orgs,
            "levels": levels,
            "from_thread": thread,
            "has_orgs": bool(memberships),
        },
    )


# --- Organisations -----------------------------------------------------------------------------


@login_required
def org_list(request):
    memberships = permissions.memberships_of(request.user)
    plan_map = selectors.plans_by_org([m.organisation_id for m in memberships])
    return render(
        request,
        "tiers/org_list.html",
        {"memberships": [(m, plan_map.get(m.organisation_id)) for m in memberships]},
    )


@login_required
@_handle_errors
def org_create(request):
    form = forms.OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = services.create_organisation(
            name=form.cleaned_data["name"],
            region=form.cleaned_data["region"],
            creator=request.user,
        )
        messages.success(request, f"{organisation} was created. You are its admin.")
        return redirect(organisation)
    return render(request, "tiers/org_form.html", {"form": form})


def _org_for(request, slug) -> tuple[Organisation, Membership | None]:
    organisation = get_object_or_404(Organisation, slug=slug)
    if not permissions.can_view_organisation(request.user, organisation):
        raise Http404
    return organisation, permissions.membership_in(request.user, organisation)


@login_required
def org_detail(request, slug):
    organisation, membership = _org_for(request, slug)
    is_admin = (membership and membership.is_admin) or is_support_staff(request.user)
    subscription = selectors.active_subscription(organisation)
    plan = subscription.plan if subscription else selectors.default_plan()
    context = {
        "organisation": organisation,
        "membership": membership,
        "is_admin": is_admin,
        "subscription": subscription,
        "plan": plan,
        "members": organisation.memberships.select_related("user"),
        "purchasable": Plan.objects.filter(purchasable=True).exclude(pk=plan.pk if plan else None),
    }
    if is_admin:
        context.update(
            invite_form=forms.InviteForm(),
            settings_form=forms.OrganisationSettingsForm(
                initial={
                    "region": organisation.region,
                    "members_see_all_tickets": organisation.members_see_all_tickets,
                }
            ),
            invitations=[i for i in organisation.invitations.all() if i.is_pending],
            invoices=organisation.invoices.all()[:12],
            usage=selectors.allowance_usage(organisation, plan) if plan else None,
        )
    return render(request, "tiers/org_detail.html", context)


@login_required
@require_POST
@_handle_errors
def org_settings(request, slug):
    organisation, _ = _org_for(request, slug)
    form = forms.OrganisationSettingsForm(request.POST)
    if not form.is_valid():
        raise TierError("Choose a region.")
    services.update_organisation(organisation=organisation, by=request.user, **form.cleaned_data)
    messages.success(request, "Settings saved.")
    return redirect(organisation)


@login_required
@require_POST
@_handle_errors
def org_invite(request, slug):
    organisation, _ = _org_for(request, slug)
    form = forms.InviteForm(request.POST)
    if not form.is_valid():
        raise TierError("Enter a valid e-mail address and role.")
    invitation = services.invite_member(
        organisation=organisation, by=request.user, **form.cleaned_data
    )
    messages.success(request, f"Invitation sent to {invitation.email}.")
    return redirect(organisation)


@login_required
@require_POST
@_handle_errors
def org_member(request, slug, pk):
    organisation, _ = _org_for(request, slug)
    membership = get_object_or_404(Membership, pk=pk, organisation=organisation)
    action = request.POST.get("action")
    if action == "point_of_contact":
        services.set_point_of_contact(membership=membership, by=request.user)
        messages.success(request, f"{membership.user} is now the point of contact.")
    elif action in ("admin", "member"):
        services.change_role(membership=membership, role=action, by=request.user)
        messages.success(request, "Role changed.")
    elif action == "remove":
        services.remove_member(membership=membership, by=request.user)
        messages.success(request, f"{membership.user} was removed.")
        if membership.user_id == request.user.pk:
            return redirect("tiers:org_list")
    elif action == "timezone":
        from zoneinfo import available_timezones

        zone = request.POST.get("time_zone", "").strip()
        if membership.user_id != request.user.pk:
            raise PermissionDenied
        if zone and zone not in available_timezones():
            raise TierError("Unknown time zone; use a name like Europe/Berlin.")
        membership.time_zone = zone
        membership.save(update_fields=["time_zone"])
        messages.success(request, "Time zone saved.")
    else:
        raise TierError("Unknown action.")
    return redirect(organisation)


@login_required
@_handle_errors
def org_subscribe(request, slug, code):
    organisation, _ = _org_for(request, slug)
    plan = get_object_or_404(Plan, code=code, purchasable=True)
    if not permissions.is_org_admin(request.user, organisation):
        raise PermissionDenied
    if request.method == "POST":
        services.subscribe(organisation=organisation, plan=plan, by=request.user)
        messages.success(
            request, f"{organisation} is now on {plan.name}. An invoice has been raised."
        )
        return redirect(organisation)
    now = timezone.now()
    return render(
        request,
        "tiers/subscribe.html",
        {
            "organisation": organisation,
            "plan": plan,
            "start": now,
            "renews": services.add_month(now),
        },
    )


@login_required
@require_POST
@_handle_errors
def org_cancel(request, slug):
    organisation, _ = _org_for(request, slug)
    subscription = selectors.active_subscription(organisation)
    if subscription is None:
        raise TierError("There is no subscription to cancel.")
    if request.POST.get("resume"):
        services.resume_subscription(subscription=subscription, by=request.user)
        messages.success(request, "Your subscription will renew as usual.")
    else:
        services.cancel_subscription(subscription=subscription, by=request.user)
        messages.success(
            request,
            f"{subscription.plan.name} stays active until "
            f"{subscription.current_period_end:%d %b %Y} and will not renew.",
        )
    return redirect(organisation)


def invitation(request, token):
    try:
        invite = services.invitation_from_token(token)
    except TierError as exc:
        return render(request, "tiers/invitation.html", {"error": str(exc)}, status=400)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        try:
            membership = services.accept_invitation(token=token, user=request.user)
        except TierError as exc:
            messages.error(request, str(exc))
            return redirect(request.path)
        messages.success(request, f"You joined {membership.organisation}.")
        return redirect(membership.organisation)
    return render(request, "tiers/invitation.html", {"invitation": invite})


# --- Tickets -----------------------------------------------------------------------------------


def _ticket_for(request, case_number) -> Ticket:
    ticket = (
        permissions.visible_tickets(request.user)
        .select_related(
            "organisation", "plan__severity_scheme", "requester", "assigned_to", "opened_by"
        )
        .filter(case_number=case_number)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


@login_required
def ticket_list(request):
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
    return render(
        request,
        "tiers/ticket_list.html",
        {
            "tickets": tickets,
            "state": state,
            "ticket_orgs": selectors.ticket_organisations(request.user),
            "is_staff": is_support_staff(request.user),
        },
    )


def _levels_for(plans_list):
    from tiers.models import SeverityLevel

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
    form = forms.TicketForm(
        request.POST or None, request.FILES or None, organisations=choices, levels=levels
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = next((org for org, _ in choices if org.pk == data["organisation"]), None)
        if organisation is None:
            form.add_error("organisation", "Choose one of your organisations.")
        else:
            try:
                ticket = services.open_ticket(
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
                )
            except TierError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    f"Case {ticket.case_number} is open. We sent an acknowledgement by e-mail.",
                )
                return redirect(ticket)
    return render(
        request,
        "tiers/ticket_new.html",
        {
            "form": form,
            "levels": levels,
            "problems": selectors.current_problems(permissions.visible_problems(request.user)),
        },
    )


@login_required
def ticket_detail(request, case_number):
    ticket = _ticket_for(request, case_number)
    staff = is_support_staff(request.user)
    conversation = ticket.messages.select_related("author").prefetch_related("attachments")
    attachments = ticket.attachments.filter(message__isnull=True)
    events = ticket.events.select_related("actor")
    if not staff:
        conversation = conversation.filter(is_internal=False)
        attachments = attachments.filter(is_internal=False)
        events = events.filter(public=True)
    levels = _levels_for([ticket.plan])
    membership = permissions.membership_in(request.user, ticket.organisation)
    context = {
        "ticket": ticket,
        "conversation": conversation,
        "attachments": attachments,
        "events": events,
        "levels": levels,
        "staff": staff,
        "customer": not staff,
        "user_time_zone": membership.time_zone if membership else "",
        "reply_form": forms.ReplyForm(),
        "dispute_form": forms.DisputeForm(levels=levels, initial={"requested": ticket.severity}),
        "escalation_form": forms.EscalationForm(),
        "quotes": ticket.quotes.all(),
        "can_reopen": services.can_reopen(ticket),
    }
    if staff:
        analysts = users_with_power(Power.WORK_TICKETS)
        context["staff_form"] = forms.StaffTicketForm(
            levels=levels,
            analysts=analysts,
            initial={
                "status": ticket.status,
                "severity": ticket.severity,
                "analyst": ticket.assigned_to_id,
                "category": ticket.category,
                "resolution_public": ticket.resolution_public,
            },
        )
        context["timers"] = ticket.timers.select_related("contact")
        context["time_entries"] = ticket.time_entries.select_related("analyst")
    return render(request, "tiers/ticket_detail.html", context)


@login_required
@require_POST
@_handle_errors
def ticket_reply(request, case_number):
    ticket = _ticket_for(request, case_number)
    form = forms.ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        raise TierError("Attachments could not be read; try again.")
    internal = form.cleaned_data["internal"] and is_support_staff(request.user)
    services.add_reply(
        ticket=ticket,
        author=request.user,
        body=form.cleaned_data["body"],
        internal=internal,
        uploads=forms.uploads_from(form.cleaned_data["attachments"]),
    )
    messages.success(request, "Internal note added." if internal else "Reply sent.")
    return redirect(ticket)


@login_required
@require_POST
@_handle_errors
def ticket_close(request, case_number):
    ticket = _ticket_for(request, case_number)
    services.close_ticket(ticket=ticket, by=request.user)
    messages.success(request, "The case is closed.")
    return redirect(ticket)


@login_required
@require_POST
@_handle_errors
def ticket_dispute(request, case_number):
    ticket = _ticket_for(request, case_number)
    form = forms.DisputeForm(request.POST, levels=_levels_for([ticket.plan]))
    if not form.is_valid():
        raise TierError("Choose a severity and say why.")
    services.dispute_severity(ticket=ticket, by=request.user, **form.cleaned_data)
    messages.success(request, "Your analyst will review the severity with you.")
    return redirect(ticket)


@login_required
@require_POST
@_handle_errors
def ticket_escalate(request, case_number):
    ticket = _ticket_for(request, case_number)
    form = forms.EscalationForm(request.POST)
    if not form.is_valid():
        raise TierError("Tell us why this case needs escalating.")
    services.request_escalation(ticket=ticket, by=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, "Escalation requested. An escalation contact will review the case.")
    return redirect(ticket)


@login_required
@require_POST
@_handle_errors
def quote_decide(request, case_number, pk):
    ticket = _ticket_for(request, case_number)
    quote = get_object_or_404(Quote, pk=pk, ticket=ticket)
    accept = request.POST.get("decision") == "accept"
    services.decide_quote(quote=quote, accept=accept, by=request.user)
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


@login_required
@require_POST
@_handle_errors
def ticket_staff(request, case_number):
    if not is_support_staff(request.user):
        raise Http404
    ticket = _ticket_for(request, case_number)
    analysts = users_with_power(Power.WORK_TICKETS)
    form = forms.StaffTicketForm(request.POST, levels=_levels_for([ticket.plan]), analysts=analysts)
    if not form.is_valid():
        errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
        raise TierError(f"Check the form: {errors}")
    data = form.cleaned_data
    action = data["action"]
    if action == "status":
        services.set_status(ticket=ticket, status=data["status"], by=request.user)
    elif action == "severity":
        services.set_severity(ticket=ticket, severity=data["severity"], by=request.user)
    elif action == "assign":
        analyst = analysts.filter(pk=data["analyst"]).first() if data["analyst"] else None
        services.assign(ticket=ticket, analyst=analyst, by=request.user)
    elif action == "time":
        services.log_time(
            ticket=ticket,
            analyst=request.user,
            minutes=data["minutes"],
            category=data["category"],
            note=data["note"],
        )
    elif action == "not_covered":
        services.mark_not_covered(
            ticket=ticket,
            reason=data["exclusion"],
            amount=data["amount"],
            description=data["description"],
            by=request.user,
        )
    elif action == "resolution":
        ticket.resolution_public = data["resolution_public"].strip()
        ticket.save(update_fields=["resolution_public", "updated_at"])
        if request.POST.get("publish"):
            services.publish_fix_to_thread(ticket=ticket, by=request.user)
            messages.success(request, "The fix was posted to the thread and marked as solved.")
            return redirect(ticket)
    messages.success(request, "Saved.")
    return redirect(ticket)


# --- Thread to ticket --------------------------------------------------------------------------


def _thread(pk):
    from forum.models import Thread

    return get_object_or_404(Thread.objects.select_related("author", "category"), pk=pk)


@login_required
@_handle_errors
def thread_escalate(request, pk):
    """The author of a thread escalates it to a private ticket for one of their organisations."""
    thread = _thread(pk)
    if thread.author_id != request.user.pk:
        raise Http404
    existing = Ticket.objects.filter(thread=thread).first()
    if existing is not None:
        return redirect(existing)
    choices = selectors.ticket_organisations(request.user)
    if not choices:
        return redirect(reverse("tiers:plans") + f"?thread={thread.pk}")
    if request.method == "POST":
        org_id = request.POST.get("organisation", "")
        organisation = next((o for o, _ in choices if str(o.pk) == org_id), None)
        if organisation is None and len(choices) == 1:
            organisation = choices[0][0]
        if organisation is None:
            raise TierError("Choose which organisation this ticket is for.")
        result = services.promote_thread(thread=thread, by=request.user, organisation=organisation)
        messages.success(
            request,
            f"Case {result.ticket.case_number} is open. A note was posted in the thread; "
            "nothing private was shared.",
        )
        return redirect(result.ticket)
    return render(
        request,
        "tiers/thread_escalate.html",
        {"thread": thread, "choices": choices, "staff": False},
    )


@login_required
@_handle_errors
def thread_promote(request, pk):
    """Staff promote any thread; a Community author is offered the upgrade path instead."""
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
        result = services.promote_thread(thread=thread, by=request.user, organisation=organisation)
        if result.upgrade_offered:
            messages.info(
                request,
                "The author's organisation is on Community: we e-mailed them the upgrade path "
                "instead of opening a ticket.",
            )
            return redirect(thread.get_absolute_url())
        messages.success(request, f"Case {result.ticket.case_number} was opened from the thread.")
        return redirect(result.ticket)
    return render(
        request, "tiers/thread_escalate.html", {"thread": thread, "choices": choices, "staff": True}
    )


# --- Service problems ---------------------------------------------------------------------------


@login_required
def problem_list(request):
    """Current (and recently resolved) service problems affecting the user's organisations."""
    visible = permissions.visible_problems(request.user)
    return render(
        request,
        "tiers/problem_list.html",
        {
            "current": selectors.current_problems(visible),
            "resolved": selectors.recently_resolved_problems(visible),
            "entitled": is_support_staff(request.user)
            or bool(permissions.problem_organisations(request.user)),
        },
    )


@login_required
def problem_detail(request, pk):
    problem = permissions.visible_problems(request.user).filter(pk=pk).first()
    if problem is None:
        raise Http404
    return render(
        request,
        "tiers/problem_detail.html",
        {"problem": problem, "updates": problem.updates.order_by("-created_at", "-id")},
    )
