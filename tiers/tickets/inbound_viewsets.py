"""Staff screens for inbound e-mail: every message the support mailbox received, held and
failed ones first, with the analyst's two decisions on a held one (release or discard)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.views import View

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views.generic import InspectView

from resourcecenter.roles import is_support_staff
from tiers.errors import TierError
from tiers.plans.viewsets import TiersViewSet
from tiers.tickets import inbound
from tiers.tickets.models import InboundMessage


class InboundMessageFilterSet(WagtailFilterSet):
    class Meta:
        model = InboundMessage
        fields = ["status", "source"]


class InboundMessageInspectView(InspectView):
    """The stored message as received (escaped text, never rendered HTML) with the analyst's
    two decisions for a held one: release it as the customer's reply / new ticket, or discard."""

    template_name = "tiers/admin/inbound_inspect.html"
    fields = [
        "received_at", "source", "status", "reason", "sender", "envelope_recipient",
        "subject", "ticket", "decided_by", "decided_at",
    ]  # fmt: skip

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        stored = self.object
        context.update(
            raw_text=bytes(stored.raw)[:MAX_RAW_PREVIEW].decode("utf-8", errors="replace"),
            may_release=stored.status == InboundMessage.HELD,
            may_discard=stored.status in (InboundMessage.HELD, InboundMessage.FAILED),
            release_url=reverse("tiers_inboundmessage:release", args=[stored.pk]),
            discard_url=reverse("tiers_inboundmessage:discard", args=[stored.pk]),
        )
        return context


MAX_RAW_PREVIEW = 64 * 1024


class InboundDecisionView(View):
    """POST only: an analyst releases or discards a held message (services in inbound)."""

    decision = "release"

    def post(self, request, pk):
        if not is_support_staff(request.user):
            raise PermissionDenied
        stored = get_object_or_404(InboundMessage, pk=pk)
        inspect_url = reverse("tiers_inboundmessage:inspect", args=[stored.pk])
        try:
            if self.decision == "release":
                result = inbound.release_held(stored, by=request.user)
                messages.success(
                    request,
                    f"Released: {'new ticket' if result.action == 'created' else 'reply on'} "
                    f"{result.ticket.case_number}.",
                )
            else:
                inbound.discard_held(stored, by=request.user)
                messages.success(request, "Discarded; the message stays stored.")
        except TierError as exc:
            messages.error(request, str(exc))
        return HttpResponseRedirect(inspect_url)


class InboundMessageViewSet(TiersViewSet):
    """Every e-mail the support mailbox received, held and failed ones first to decide on."""

    model = InboundMessage
    icon = "mail"
    menu_label = "Inbound e-mail"
    filterset_class = InboundMessageFilterSet
    inspect_view_class = InboundMessageInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ["received_at", "sender", "subject", "status", "reason", "ticket"]
    search_fields = ["sender", "subject"]
    search_backend_name = None
    # The admin form edits only the note; decisions go through release / discard.
    form_fields = ["reason"]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path(
                "release/<int:pk>/",
                InboundDecisionView.as_view(decision="release"),
                name="release",
            ),
            path(
                "discard/<int:pk>/",
                InboundDecisionView.as_view(decision="discard"),
                name="discard",
            ),
        ]
