"""Macros (canned replies) in the Wagtail admin, for analysts and leads. The form refuses an
unknown placeholder or a {page:slug} that names no published page (Macro.clean)."""

from __future__ import annotations

from wagtail.admin.ui.tables import Column

from tiers.plans.viewsets import TiersViewSet
from tiers.tickets.work_models import Macro


class MacroViewSet(TiersViewSet):
    model = Macro
    icon = "openquote"
    menu_label = "Macros"
    add_to_admin_menu = False
    list_display = ["name", "set_status", "set_severity", "active", "updated_at"]
    list_filter = ["active"]
    search_fields = ["name", "body"]
    search_backend_name = None
    copy_view_enabled = True
    form_fields = ["name", "body", "page", "set_status", "set_severity", "active"]


class SatisfactionColumn(Column):
    """The requester's rating in the queue ("4/5"; "asked" while the survey is unanswered)."""

    def get_value(self, instance):
        survey = getattr(instance, "satisfaction", None)
        if survey is None:
            return ""
        return f"{survey.rating}/5" if survey.rating else "asked"
