"""Forms of the public Resource Center: listing filters and "Was this helpful?"."""

import re

from django import forms

from kb.models import LISTING_KINDS

FEEDBACK_COMMENT_MAX = 1000
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class FeedbackForm(forms.Form):
    """A yes/no vote with an optional comment (plain text, kept short)."""

    helpful = forms.ChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        error_messages={
            "required": "Choose Yes or No.",
            "invalid_choice": "Choose Yes or No.",
        },
    )
    comment = forms.CharField(
        required=False,
        max_length=FEEDBACK_COMMENT_MAX,
        label="How could we improve this page? (optional)",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": FEEDBACK_COMMENT_MAX}),
        error_messages={
            "max_length": f"Please keep your comment under {FEEDBACK_COMMENT_MAX} characters "
            "(it has %(show_value)d)."
        },
    )

    def clean_comment(self) -> str:
        comment = _CONTROL_CHARS.sub("", self.cleaned_data.get("comment") or "")
        return re.sub(r"\n{3,}", "\n\n", comment).strip()

    @property
    def is_helpful(self) -> bool:
        return self.cleaned_data["helpful"] == "yes"


class ListingFilterForm(forms.Form):
    """The filters of a section listing: kind, product area and tag (all optional, GET).

    Choices are what the section actually contains, so an unknown value produces an error
    message ("that filter is not available here") instead of an empty page.
    """

    kind = forms.ChoiceField(required=False, label="Kind")
    area = forms.ChoiceField(required=False, label="Product area")
    tag = forms.ChoiceField(required=False, label="Tag")

    def __init__(self, data=None, *, kinds=(), areas=(), tags=()):
        super().__init__(data)
        self.fields["kind"].choices = [("", "All kinds")] + [
            (code, label) for code, label in LISTING_KINDS if code in set(kinds)
        ]
        self.fields["area"].choices = [("", "All product areas")] + [
            (area.slug, area.name) for area in areas
        ]
        self.fields["tag"].choices = [("", "All tags")] + [(tag.slug, tag.name) for tag in tags]
        for name in ("kind", "area", "tag"):
            self.fields[name].error_messages["invalid_choice"] = (
                f"That {self.fields[name].label.lower()} is not available in this section; "
                "showing everything instead."
            )

    def filters(self) -> dict[str, str]:
        """The valid, non-empty filters; invalid ones are dropped (and reported as errors)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {
            name: self.cleaned_data[name]
            for name in ("kind", "area", "tag")
            if self.cleaned_data.get(name) and name not in self.errors
        }
