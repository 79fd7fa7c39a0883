"""Wagtail's Users screen, fitted to our accounts (registered by resourcecenter.apps).

- The display name can be seen and changed by staff (e.g. to replace an offensive one), with
  the same rules as the profile page, and first/last name are optional as on the model (most
  community members never give them).
- The e-mail address is checked against every account's addresses, and saving updates allauth's
  EmailAddress rows the way resourcecenter.services.set_primary_email documents (the new
  address is primary and unverified; the old one is removed and told; a link goes to the new).
- A uniqueness race (another request took the name or address a moment earlier) is shown as a
  field error, never a server error.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from wagtail.users.forms import UserCreationForm as WagtailUserCreationForm
from wagtail.users.forms import UserEditForm as WagtailUserEditForm
from wagtail.users.views import users as wagtail_users

from resourcecenter import services
from resourcecenter.forms import DISPLAY_NAME_MAX, clean_display_name, normalize_display_name

EMAIL_HELP = (
    "The address this person logs in with. A new address is not verified: they get a link "
    "to confirm it and must confirm it to log in; the old address is removed and told."
)


class _AccountFieldsMixin(forms.Form):
    display_name = forms.CharField(
        label="Display name",
        required=False,
        max_length=60,
        help_text=(
            "Shown next to this person's posts in the Community instead of their e-mail "
            f"(at most {DISPLAY_NAME_MAX} characters, unique). Leave empty if not chosen yet."
        ),
    )

    def _setup_account_fields(self) -> None:
        for name in ("first_name", "last_name"):
            if name in self.fields:
                self.fields[name].required = False
        if "email" in self.fields:
            self.fields["email"].help_text = EMAIL_HELP

    def clean_display_name(self) -> str:
        user = self.instance if self.instance.pk is not None else None
        return clean_display_name(self.cleaned_data.get("display_name", ""), user=user)

    def clean_email(self) -> str:
        email = (self.cleaned_data.get("email") or "").strip().lower()
        try:
            services.validate_email_for(self.instance, email)
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["email"], code="email_taken") from exc
        return email

    def clean_first_name(self) -> str:
        return normalize_display_name(self.cleaned_data.get("first_name", ""))

    def clean_last_name(self) -> str:
        return normalize_display_name(self.cleaned_data.get("last_name", ""))


class UserCreationForm(_AccountFieldsMixin, WagtailUserCreationForm):
    class Meta(WagtailUserCreationForm.Meta):
        fields = WagtailUserCreationForm.Meta.fields | {"display_name"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_account_fields()


class UserEditForm(_AccountFieldsMixin, WagtailUserEditForm):
    class Meta(WagtailUserEditForm.Meta):
        fields = WagtailUserEditForm.Meta.fields | {"display_name"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_account_fields()


class _RaceSafeSaveMixin:
    """Save the user and its e-mail rows in one transaction; uniqueness races become field
    errors; the address owner is told only once the save has succeeded."""

    def form_valid(self, form):
        self._email_change = None
        try:
            with transaction.atomic():
                response = super().form_valid(form)
        except IntegrityError as exc:
            explained = services.uniqueness_error(exc)
            if explained is None:
                raise
            field, message = explained
            form.add_error(field if field in form.fields else None, message)
            return self._invalid(form)
        except ValidationError as exc:  # the address was claimed between clean and save
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
            return self._invalid(form)
        if self._email_change is not None:
            services.announce_email_change(self.request, self.object, self._email_change)
        return response

    def _invalid(self, form):
        self.produced_error_message = self.get_error_message()  # as Wagtail's own validation
        return self.form_invalid(form)

    def save_instance(self):
        self.form.instance.__dict__.pop(services.EMAIL_CHANGE_ATTR, None)
        instance = super().save_instance()
        # The post_save receiver has already synced existing rows (and noted what it did);
        # an account without rows gets its first one here.
        self._email_change = services.set_primary_email(
            instance, create_missing=True
        ) or instance.__dict__.pop(services.EMAIL_CHANGE_ATTR, None)
        return instance


class CreateView(_RaceSafeSaveMixin, wagtail_users.CreateView):
    pass


class EditView(_RaceSafeSaveMixin, wagtail_users.EditView):
    pass


class UserViewSet(wagtail_users.UserViewSet):
    add_view_class = CreateView
    edit_view_class = EditView

    def get_form_class(self, for_update=False):
        return UserEditForm if for_update else UserCreationForm
