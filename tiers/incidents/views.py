"""Customer-facing pages for current service problems."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from resourcecenter.roles import is_support_staff
from tiers import permissions, selectors
from tiers.incidents.models import ServiceProblem
from tiers.plans.models import Plan


@login_required
def problem_list(request):
    """Current, recently resolved and earlier service problems affecting the user's
    organisations (the earlier ones a page at a time)."""
    visible = permissions.visible_problems(request.user)
    return render(
        request,
        "tiers/problem_list.html",
        {
            "current": selectors.current_problems(visible),
            "resolved": selectors.recently_resolved_problems(visible),
            "history": selectors.problem_history(visible, request.GET.get("page")),
            "recent_days": selectors.RECENTLY_RESOLVED_DAYS,
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


@login_required
def problem_postmortem(request, pk):
    """The root-cause analysis and postmortem, for the plans that include it (and staff).

    An incident the reader could not see at all is "not found"; a published postmortem of a
    public incident their plan does not include says which plans do (a teaser, like gated
    Resource Center pages)."""
    problem = get_object_or_404(ServiceProblem, pk=pk)
    if permissions.can_read_postmortem(request.user, problem):
        return render(request, "tiers/problem_postmortem.html", {"problem": problem})
    if not (problem.is_public and problem.postmortem_is_published):
        raise Http404
    codes = permissions.postmortem_plans(problem)
    return render(
        request,
        "tiers/problem_postmortem_denied.html",
        {"problem": problem, "plans": Plan.objects.filter(code__in=codes)},
    )
