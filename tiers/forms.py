"""Forms of the customer-facing support pages. The rules are checked by the domains' services."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from tiers.errors import TierError
from tiers.models import REGION_CHOICES, ExclusionReason, Membership, Ticket
from tiers.tickets.attachments import MAX_ATTACHMENTS_PER_MESSAGE, Upload, validate_upload

# More than any deployment has; the database column (and SQLite's integers) would overflow on
# values far beyond it (issue 14: 2^63 answered HTTP 500).
MAX_DEVICES_AFFECTED = 1_000_000_000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files, each checked by the attachment rules (tiers.tickets.attachments) while the
    form is validated, so a refused file is an error on this field and the rest of the form
    comes back as typed."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        files = [super(MultipleFileField, self).clean(item, initial) for item in files]
        if len(files) > MAX_ATTACHMENTS_PER_MESSAGE:
            raise forms.ValidationError(
                f"Attach at most {MAX_ATTACHMENTS_PER_MESSAGE} files at a time."
            )
        errors = []
        for upload in uploads_from(files):
            try:
                validate_upload(upload)
            except TierError as exc:
                errors.append(str(exc))
        if errors:
            raise forms.ValidationError(errors)
        return files


def uploads_from(files) -> list[Upload]:
    uploads = []
    for f in files or []:
        f.seek(0)  # the form's check read it already
        uploads.append(Upload(f.name, f.read(), getattr(f, "content_type", "") or ""))
    return uploads


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
        min_value=0,
        max_value=MAX_DEVICES_AFFECTED,
        required=False,
        label="Devices affected",
        help_text="How many units?",
    )
    incident_at = forms.DateTimeField(
        required=False,
        label="Time of the incident",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
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
        """`organisations`: (organisation, plan) pairs; `levels`: the levels of their schemes.

        Organisations on different plans may use different severity schemes: the form offers
        each organisation its own plan's levels (`severity_groups`, one per scheme, switched by
        tiers.js as the organisation changes) and refuses a level the chosen one's plan lacks.
        """
        super().__init__(*args, **kwargs)
        # Django reads and shows the field in the active time zone: the reader's (middleware).
        self.fields[
            "incident_at"
        ].help_text = f"Your time ({timezone.get_current_timezone_name()})."
        self.fields["organisation"].choices = [
            (org.pk, f"{org.name} ({plan.name})") for org, plan in organisations
        ]
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0][0].pk
        self.levels = levels
        by_scheme: dict[int | None, list] = {}
        for level in levels:
            by_scheme.setdefault(level.scheme_id, []).append(level)
        self.levels_by_org = {
            org.pk: by_scheme.get(plan.severity_scheme_id, []) for org, plan in organisations
        }
        seen = {}
        for level in levels:
            seen.setdefault(level.number, level.name)
        self.fields["customer_severity"].choices = sorted(seen.items())
        groups = []
        for scheme_id, scheme_levels in by_scheme.items():
            members = [org for org, plan in organisations if plan.severity_scheme_id == scheme_id]
            if members:
                groups.append(
                    {
                        "key": scheme_id,
                        "scheme": scheme_levels[0].scheme,
                        "levels": scheme_levels,
                        "organisations": members,
                        "org_ids": " ".join(str(org.pk) for org in members),
                    }
                )
        self.severity_groups = groups
        self.several_schemes = len(groups) > 1

    def selected_org_id(self) -> int | None:
        raw = self.data.get("organisation") if self.is_bound else self.initial.get("organisation")
        raw = raw or self.fields["organisation"].initial
        try:
            return int(raw)
        except (TypeError, ValueError):
            return None

    def selected_group_key(self):
        """The severity group shown as chosen: the selected organisation's (else the first)."""
        org_id = self.selected_org_id()
        for group in self.severity_groups:
            if any(org.pk == org_id for org in group["organisations"]):
                return group["key"]
        return self.severity_groups[0]["key"] if self.severity_groups else None

    def selected_severity(self) -> int | None:
        try:
            return int(self.data.get("customer_severity")) if self.is_bound else None
        except (TypeError, ValueError):
            return None

    def clean(self):
        data = super().clean()
        org_id, severity = data.get("organisation"), data.get("customer_severity")
        if org_id in self.levels_by_org and severity is not None:
            numbers = [level.number for level in self.levels_by_org[org_id]]
            if severity not in numbers:
                organisation = next(
                    name for pk, name in self.fields["organisation"].choices if pk == org_id
                )
                options = "; ".join(
                    f"{level.number} ({level.name})" for level in self.levels_by_org[org_id]
                )
                self.add_error(
                    "customer_severity",
                    f"Severity {severity} is not a level of the plan of {organisation}. "
                    f"Choose one of: {options}.",
                )
        return data


class ThreadEscalationForm(TicketForm):
    """The ticket form for escalating a community thread: the thread is the description; the
    author is asked what a thread does not say - their severity estimate (with the plan's
    definitions), devices affected, the time of the incident - before anything is opened."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["description"]
        self.fields["organisation"].label = "Which organisation is this ticket for?"
        self.fields["subject"].help_text = "The thread's title; change it if you like."
        self.fields["conditions"].label = "Anything to add for the analyst (private)"
        self.fields[
            "conditions"
        ].help_text = "Location, network, firmware, recent changes: not posted in the thread."


class ReplyForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False, label="Reply")
    attachments = MultipleFileField(help_text=ATTACHMENT_HELP)
    internal = forms.BooleanField(required=False, label="Internal note (staff only)")


class DisputeForm(forms.Form):
    requested = forms.TypedChoiceField(coerce=int, label="Severity you believe applies")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why?",
        error_messages={"required": "Say why the severity should change."},
    )

    def __init__(self, *args, levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requested"].choices = [(level.number, level.name) for level in levels]


class EscalationForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why escalate?",
        error_messages={"required": "Tell us why this case needs escalating."},
    )


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


class StaffIntakeForm(forms.Form):
    """An analyst opens a ticket for a customer (phone or e-mail intake): the customer form's
    fields for one organisation, plus the requester and the channel it came in on."""

    requester = forms.ModelChoiceField(
        queryset=None,
        label="Requester",
        help_text="The member of the organisation who asked; the acknowledgement goes to them.",
    )
    channel = forms.ChoiceField(label="Came in by")
    subject = forms.CharField(max_length=200)
    category = forms.ChoiceField(choices=Ticket.CATEGORY_CHOICES, label="What do they need?")
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What happened, what they expected, and what they tried (shown to the customer).",
    )
    devices_affected = forms.IntegerField(
        min_value=0, max_value=MAX_DEVICES_AFFECTED, required=False, label="Devices affected"
    )
    incident_at = forms.DateTimeField(
        required=False,
        label="Time of the incident",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    conditions = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Conditions at the time",
    )
    customer_severity = forms.TypedChoiceField(
        coerce=int, widget=forms.RadioSelect, label="The customer's estimate of the severity"
    )
    attachments = MultipleFileField(help_text=ATTACHMENT_HELP)
    internal_note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Internal note (staff only)",
        help_text="Call notes for the analysts; never shown or e-mailed to the customer.",
    )

    def __init__(self, *args, organisation, plan, levels, **kwargs):
        from django.contrib.auth import get_user_model

        super().__init__(*args, **kwargs)
        self.fields[
            "incident_at"
        ].help_text = f"Your time ({timezone.get_current_timezone_name()})."
        self.organisation = organisation
        self.plan = plan
        self.fields["requester"].queryset = (
            get_user_model()
            .objects.filter(memberships__organisation=organisation, is_active=True)
            .order_by("email")
        )
        self.fields["requester"].label_from_instance = lambda user: (
            f"{user.public_name} <{user.email}>"
        )
        channels = [("phone", "Phone"), ("email", "E-mail"), ("web", "Web")]
        allowed = {
            "phone": bool(plan and plan.channel_phone),
            "email": bool(plan and plan.channel_email),
            "web": bool(plan and plan.channel_web),
        }
        self.fields["channel"].choices = [(c, label) for c, label in channels if allowed[c]] or (
            channels
        )
        if plan and plan.channel_phone and plan.phone_severities:
            self.fields["channel"].help_text = (
                f"The {plan.name} phone line covers severity "
                f"{' and '.join(map(str, plan.phone_severity_numbers))} only."
            )
        self.fields["customer_severity"].choices = [(level.number, level.name) for level in levels]
        self.levels = levels
