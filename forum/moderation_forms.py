"""Forms for flagging, the inline moderator controls and member sanctions.

They only shape input; forum.flags and forum.moderation validate and write.
"""

from __future__ import annotations

import re

from django import forms

from forum.flags import NOTE_MAX
from forum.models import Category, FlagReason, NotificationFrequency, Thread, TrustLevel
from forum.moderation import MAX_SANCTION_DAYS, REASON_MAX

THREAD_REF_RE = re.compile(r"(?:/t/)?(\d+)(?:/|$)")


class ReasonForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded in the moderation log; the author is told when a post is rejected "
        "or hidden.",
    )


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        choices=FlagReason.choices,
        widget=forms.RadioSelect,
        label="What is wrong with this post?",
    )
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional, but required for “Something else”: tell the moderators more.",
    )


class ThreadRefField(forms.CharField):
    """A thread given by its number or its URL ("1234" or ".../community/t/1234/slug/")."""

    def clean(self, value):
        value = super().clean(value)
        match = THREAD_REF_RE.search((value or "").strip())
        if not match:
            raise forms.ValidationError("Give the thread's number or paste its address.")
        thread = Thread.objects.filter(pk=int(match.group(1))).first()
        if thread is None:
            raise forms.ValidationError("There is no thread with that number.")
        return thread


class MoveForm(ReasonForm):
    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(is_active=True), empty_label="Choose a category"
    )


class MergeForm(ReasonForm):
    target = ThreadRefField(
        label="Merge into thread",
        help_text="The thread number or address; this thread's posts are appended to it.",
    )


class DuplicateForm(ReasonForm):
    original = ThreadRefField(
        label="Original thread", help_text="The thread number or address of the original."
    )


class SplitForm(ReasonForm):
    title = forms.CharField(max_length=200, label="Title of the new thread")
    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(is_active=True),
        required=False,
        empty_label="Same category",
    )
    posts = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, label="Replies to move", choices=()
    )

    def __init__(self, *args, post_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["posts"].choices = post_choices


class SanctionForm(ReasonForm):
    ACTIONS = [
        ("suspend", "Suspend (may not post, edit, vote or flag)"),
        ("silence", "Silence (may read, vote and flag, but not post)"),
    ]
    action = forms.ChoiceField(choices=ACTIONS, widget=forms.RadioSelect)
    days = forms.DecimalField(
        min_value=0,
        max_value=MAX_SANCTION_DAYS,
        decimal_places=2,
        help_text="How long, in days; 0 lifts the sanction.",
    )


class TrustLevelForm(ReasonForm):
    level = forms.ChoiceField(choices=TrustLevel.choices)
    lock = forms.BooleanField(
        required=False,
        initial=True,
        label="Keep this level (no automatic promotion)",
    )


class NotificationSettingsForm(forms.Form):
    frequency = forms.ChoiceField(
        choices=NotificationFrequency.choices,
        widget=forms.RadioSelect,
        label="E-mail me about watched threads, categories and mentions",
    )
