"""The page a reader gets for a plan-gated category (or a thread in one) they cannot read: what
it is, the teaser staff wrote for it, the plans that include it and the way to get one - never a
bare "not possible". The plans and the upgrade path come through resourcecenter.access."""

from __future__ import annotations

from django.shortcuts import render

from forum.models import Category
from resourcecenter import access


def gated_response(request, category: Category, *, thread=None):
    return render(
        request,
        "forum/gated.html",
        {
            "category": category,
            "thread": thread,
            "teaser": access.category_teaser(category),
            "gated_plans": access.gated_plans(access.category_audience(category)),
            "upgrade_url": access.upgrade_url(),
            "noindex": True,
        },
        status=403,
    )
