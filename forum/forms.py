"""Forms for the forum's pages. They only shape input; forum.services validates and writes."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from forum.models import Category
from forum.post_text import BODY_MAX, TITLE_MAX, TITLE_MIN

MARKDOWN_HELP = (
    "Markdown: **bold**, _italic_, `code`, ``` fenced code blocks ```, > quotes, lists, tables. "
    "Mention someone with @handle."
)


class BodyField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", BODY_MAX)
        kwargs.setdefault("help_text", MARKDOWN_HELP)
        kwargs.setdefault(
            "widget",
            forms.Textarea(
                attrs={"rows": 10, "data-markdown-input": "", "spellcheck": "true"},
            ),
        )
        super().__init__(**kwargs)


class AskForm(forms.Form):
    """A new thread: category, title, question, tags."""

    category = forms.ModelChoiceField(
        queryset=Category.objects.none(), empty_label="Choose a category"
    )
    title = forms.CharField(
        min_length=TITLE_MIN,
        max_length=TITLE_MAX,
        help_text="Say what is wrong, e.g. “BG96 does not attach to LTE-M with APN iot.example”.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-similar-input": ""}),
    )
    body = BodyField(label="Your question")
    tags = forms.CharField(
        required=False,
        max_length=200,
        help_text="Up to 5, separated by commas or spaces (e.g. lte-m, quectel).",
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(
            pk__in=[c.pk for c in categories]
        ).order_by("position", "name")


class ReplyForm(forms.Form):
    body = BodyField(label="Your reply")
    quote_of = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )


class EditForm(forms.Form):
    title = forms.CharField(min_length=TITLE_MIN, max_length=TITLE_MAX, required=False)
    body = BodyField(label="Text")
    reason = forms.CharField(
        required=False, max_length=300, help_text="Optional: why you changed it (shown in history)."
    )

    def __init__(self, *args, is_question=False, **kwargs):
        super().__init__(*args, **kwargs)
        if is_question:
            self.fields["title"].required = True
        else:
            del self.fields["title"]


class DeleteForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when you delete someone else's post.",
    )


def apply_validation_error(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or as a non-field error)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)
