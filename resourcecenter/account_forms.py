"""allauth's account forms in the site's wording: "e-mail", never "email" (issue 14). The forms
are allauth's own (ACCOUNT_FORMS); only the words a person reads change."""

from __future__ import annotations

from allauth.account import forms as allauth_forms


def _say_e_mail(text):
    return str(text).replace("Email", "E-mail").replace("email", "e-mail")


class HouseWordingMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if field.label:
                field.label = _say_e_mail(field.label)
            placeholder = field.widget.attrs.get("placeholder")
            if placeholder:
                field.widget.attrs["placeholder"] = _say_e_mail(placeholder)


class LoginForm(HouseWordingMixin, allauth_forms.LoginForm):
    pass


class SignupForm(HouseWordingMixin, allauth_forms.SignupForm):
    pass


class ResetPasswordForm(HouseWordingMixin, allauth_forms.ResetPasswordForm):
    pass


class RequestLoginCodeForm(HouseWordingMixin, allauth_forms.RequestLoginCodeForm):
    pass
