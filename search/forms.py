"""Validation of the search page's query string: every bad input gets a clear message."""

import re

from django import forms
from django.core.exceptions import ValidationError

from search.documents import KIND_LABELS, KINDS
from search.query import MAX_QUERY_CHARS

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_.+-]{0,99}$")


class SlugListField(forms.Field):
    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        values = [value] if isinstance(value, str) else list(value)
        cleaned = []
        for item in values[:10]:
            item = item.strip().lower()
            if not item:
                continue
            if not SLUG_RE.match(item):
                raise ValidationError(f"“{item[:40]}” is not a valid {self.label.lower()}.")
            cleaned.append(item)
        return cleaned


class SearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=MAX_QUERY_CHARS,
        strip=True,
        label="Search",
        error_messages={
            "max_length": f"Please shorten your search to {MAX_QUERY_CHARS} characters."
        },
    )
    kind = forms.MultipleChoiceField(
        required=False,
        choices=[(k, KIND_LABELS[k]) for k in KINDS],
        label="Kind",
        error_messages={"invalid_choice": "“%(value)s” is not a kind of content we have."},
    )
    area = SlugListField(required=False, label="Product area")
    tag = SlugListField(required=False, label="Tag")
    solved = forms.BooleanField(required=False, label="Solved threads only")
    staff = forms.BooleanField(required=False, label="Answered by support staff")
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100,
        error_messages={
            "invalid": "The page number must be a whole number.",
            "min_value": "Page numbers start at 1.",
            "max_value": "Only the first 100 pages are shown; please refine your search.",
        },
    )
