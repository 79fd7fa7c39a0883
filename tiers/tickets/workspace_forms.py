"""The workspace's two forms: the one composer and the side panel."""

from __future__ import annotations

from django import forms

from tiers.forms import ATTACHMENT_HELP, MultipleFileField
from tiers.tickets.models import Ticket
from tiers.tickets.work_models import Macro

REPLY, NOTE = "reply", "note"


class ComposerForm(forms.Form):
    """A public reply or an internal note, with files and an optional macro."""

    mode = forms.ChoiceField(
        choices=[(REPLY, "Public reply (e-mailed to the customer)"), (NOTE, "Internal note")],
        initial=REPLY,
        widget=forms.RadioSelect,
        label="Send as",
    )
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 7}),
        required=False,
        max_length=50_000,
        label="Message",
    )
    macro = forms.ModelChoiceField(
        queryset=Macro.objects.none(),
        required=False,
        empty_label="No macro",
        label="Macro",
        help_text="Fills an empty message and applies the macro's actions when sent.",
    )
    attachments = MultipleFileField(help_text=ATTACHMENT_HELP)

    def __init__(self, *args, macros=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["macro"].queryset = Macro.objects.filter(active=True)
        self.fields["macro"].choices = [("", "No macro")] + [(m.pk, m.name) for m in macros]

    def clean(self):
        data = super().clean()
        empty = not (data.get("body") or "").strip()
        if empty and not data.get("macro") and not data.get("attachments"):
            self.add_error("body", "Write a message, choose a macro or attach a file.")
        return data


class PanelForm(forms.Form):
    """Status, severity, assignee and category, saved together."""

    status = forms.ChoiceField(choices=Ticket.STATUS_CHOICES)
    severity = forms.TypedChoiceField(coerce=int)
    assignee = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    category = forms.ChoiceField(choices=Ticket.CATEGORY_CHOICES)

    def __init__(self, *args, levels=(), analysts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.analysts = {user.pk: user for user in analysts}
        # A plan without a severity scheme still offers the four levels of the seeds, unnamed:
        # the template words them (tiers/_severity_select.html).
        self.fields["severity"].choices = [(level.number, level.name) for level in levels] or [
            (n, "") for n in range(1, 5)
        ]
        self.fields["assignee"].choices = [("", "Unassigned")] + [
            (user.pk, user.public_name) for user in analysts
        ]

    @classmethod
    def for_ticket(cls, ticket, **kwargs):
        initial = {
            "status": ticket.status,
            "severity": ticket.severity,
            "assignee": ticket.assigned_to_id or "",
            "category": ticket.category,
        }
        return cls(initial=initial, **kwargs)


class MergeForm(forms.Form):
    target = forms.CharField(max_length=30, label="Merge into case number")
