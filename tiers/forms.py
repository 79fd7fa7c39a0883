"""Forms of the customer-facing support pages. Validation of rules lives in tiers.services."""

from __future__ import annotations

from django import forms

from tiers.models import REGION_CHOICES, ExclusionReason, Membership, Ticket
from tiers.services import Upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


def uploads_from(files) -> list[Upload]:
    return [Upload(f.name, f.read(), getattr(f, "content_type", "") or "") for f in files or []]


ATTACHMENT_HELP = (
    "Logs, packet traces and screenshots: log, txt, json, csv, pcap, pcapng, zip, png, jpg; "
    "up to 10 MB each, 5 files at a time."
)


class OrganisationForm(forms.Form):
    name = forms.CharField(max_length=120, label="Organisation name")
    region = forms.ChoiceField(
        choices=REGION_CHOICES,
        help_text="Picks the business hours your Severity 3-4 response targets are measured in.",
    )


class OrganisationSettingsForm(forms.Form):
    region = forms.ChoiceField(choices=REGION_CHOICES)
    members_see_all_tickets = forms.BooleanField(
        required=False, label="Members can see all of the organisation's tickets"
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(choices=Membership.ROLE_CHOICES, initial=Membership.ROLE_MEMBER)


class TicketForm(forms.Form):
    organisation = forms.TypedChoiceField(coerce=int, label="Organisation")
    subject = forms.CharField(
        max_length=200,
        help_text="One line, e.g. “Devices in Texas lost data sessions after 14:00”.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    category = forms.ChoiceField(choices=Ticket.CATEGORY_CHOICES, label="What do you need?")
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What happened, what you expected, and what you tried.",
    )
    devices_affected = forms.IntegerField(
        min_value=0, required=False, label="Devices affected", help_text="How many units?"
    )
    incident_at = forms.DateTimeField(
        required=False,
        label="Time of the incident",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="In UTC.",
    )
    conditions = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Conditions at the time",
        help_text="Location, network, firmware, recent changes.",
    )
    customer_severity = forms.TypedChoiceField(
        coerce=int,
        widget=forms.RadioSelect,
        label="Your estimate of the severity",
    )
    attachments = MultipleFileField(help_text=ATTACHMENT_HELP)

    def __init__(self, *args, organisations, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [
            (org.pk, f"{org.name} ({plan.name})") for org, plan in organisations
        ]
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0][0].pk
        self.fields["customer_severity"].choices = [(level.number, level.name) for level in levels]
        self.levels = levels


class ReplyForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False, label="Reply")
    attachments = MultipleFileField(help_text=ATTACHMENT_HELP)
    internal = forms.BooleanField(required=False, label="Internal note (staff only)")


class DisputeForm(forms.Form):
    requested = forms.TypedChoiceField(coerce=int, label="Severity you believe applies")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Why?")

    def __init__(self, *args, levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requested"].choices = [(level.number, level.name) for level in levels]


class EscalationForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Why escalate?")


class StaffTicketForm(forms.Form):
    """One form per staff action on the ticket page (selected by the `action` field)."""

    ACTIONS = ["status", "severity", "assign", "time", "not_covered", "resolution"]
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS], widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=Ticket.STATUS_CHOICES, required=False)
    severity = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    analyst = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    minutes = forms.IntegerField(min_value=1, max_value=24 * 60, required=False)
    category = forms.ChoiceField(choices=Ticket.CATEGORY_CHOICES, required=False)
    note = forms.CharField(max_length=200, required=False)
    exclusion = forms.ModelChoiceField(
        queryset=ExclusionReason.objects.filter(active=True), required=False
    )
    amount = forms.DecimalField(min_value=0, max_digits=10, decimal_places=2, required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    resolution_public = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, label="Public part of the fix"
    )

    def __init__(self, *args, levels=(), analysts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["severity"].choices = [(level.number, level.name) for level in levels]
        self.fields["analyst"].choices = [("", "Unassigned")] + [
            (user.pk, user.public_name) for user in analysts
        ]

    def clean(self):
        data = super().clean()
        action = data.get("action")
        required = {
            "status": ["status"],
            "severity": ["severity"],
            "time": ["minutes", "category"],
            "not_covered": ["exclusion", "amount"],
        }.get(action, [])
        for name in required:
            if data.get(name) in (None, ""):
                self.add_error(name, "This field is required.")
        return data
