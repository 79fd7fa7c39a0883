"""Customer-facing pages for plans, organisations, members and subscriptions. Thin: forms in,
one service call, redirect.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from forum.models import Thread
from resourcecenter.roles import is_support_staff
from tiers import forms, permissions, selectors
from tiers.errors import TierError
from tiers.plans.models import Membership, Organisation, Plan, SeverityLevel
from tiers.plans.organisations import (
    accept_invitation,
    change_role,
    create_organisation,
    invitation_from_token,
    invite_member,
    remove_member,
    set_point_of_contact,
    update_organisation,
)
from tiers.plans.subscriptions import add_month, cancel_subscription, resume_subscription, subscribe
from tiers.web import handle_errors


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
    levels = list(SeverityLevel.objects.filter(scheme_id__in=schemes))
    thread = None
    if request.GET.get("thread", "").isdigit():
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
@handle_errors
def org_create(request):
    form = forms.OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = create_organisation(
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
        "reports": bool(plan and plan.case_reports)
        and permissions.can_view_case_report(request.user, organisation),
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
@handle_errors
def org_settings(request, slug):
    organisation, _ = _org_for(request, slug)
    form = forms.OrganisationSettingsForm(request.POST)
    if not form.is_valid():
        raise TierError("Choose a region.")
    update_organisation(organisation=organisation, by=request.user, **form.cleaned_data)
    messages.success(request, "Settings saved.")
    return redirect(organisation)


@login_required
@require_POST
@handle_errors
def org_invite(request, slug):
    organisation, _ = _org_for(request, slug)
    form = forms.InviteForm(request.POST)
    if not form.is_valid():
        raise TierError("Enter a valid e-mail address and role.")
    invitation = invite_member(organisation=organisation, by=request.user, **form.cleaned_data)
    messages.success(request, f"Invitation sent to {invitation.email}.")
    return redirect(organisation)


@login_required
@require_POST
@handle_errors
def org_member(request, slug, pk):
    organisation, _ = _org_for(request, slug)
    membership = get_object_or_404(Membership, pk=pk, organisation=organisation)
    action = request.POST.get("action")
    if action == "point_of_contact":
        set_point_of_contact(membership=membership, by=request.user)
        messages.success(request, f"{membership.user} is now the point of contact.")
    elif action in ("admin", "member"):
        change_role(membership=membership, role=action, by=request.user)
        messages.success(request, "Role changed.")
    elif action == "remove":
        remove_member(membership=membership, by=request.user)
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
@handle_errors
def org_subscribe(request, slug, code):
    organisation, _ = _org_for(request, slug)
    plan = get_object_or_404(Plan, code=code, purchasable=True)
    if not permissions.is_org_admin(request.user, organisation):
        raise PermissionDenied
    if request.method == "POST":
        subscribe(organisation=organisation, plan=plan, by=request.user)
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
            "renews": add_month(now),
        },
    )


@login_required
@require_POST
@handle_errors
def org_cancel(request, slug):
    organisation, _ = _org_for(request, slug)
    subscription = selectors.active_subscription(organisation)
    if subscription is None:
        raise TierError("There is no subscription to cancel.")
    if request.POST.get("resume"):
        resume_subscription(subscription=subscription, by=request.user)
        messages.success(request, "Your subscription will renew as usual.")
    else:
        cancel_subscription(subscription=subscription, by=request.user)
        messages.success(
            request,
            f"{subscription.plan.name} stays active until "
            f"{subscription.current_period_end:%d %b %Y} and will not renew.",
        )
    return redirect(organisation)


def invitation(request, token):
    try:
        invite = invitation_from_token(token)
    except TierError as exc:
        return render(request, "tiers/invitation.html", {"error": str(exc)}, status=400)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        try:
            membership = accept_invitation(token=token, user=request.user)
        except TierError as exc:
            messages.error(request, str(exc))
            return redirect(request.path)
        messages.success(request, f"You joined {membership.organisation}.")
        return redirect(membership.organisation)
    return render(request, "tiers/invitation.html", {"invitation": invite})
