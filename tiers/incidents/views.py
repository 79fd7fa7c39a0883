"""Customer-facing pages for current service problems."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from resourcecenter.roles import is_support_staff
from tiers import permissions, selectors


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
