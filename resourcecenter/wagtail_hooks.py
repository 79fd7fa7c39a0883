"""Wagtail admin integration for accounts: account settings live on the allauth pages.

The admin's own password and e-mail forms are switched off (see WAGTAIL_*_MANAGEMENT_ENABLED in
settings), so the admin's account page links to the pages that verify addresses, notify the
owner and manage two-factor authentication.
"""

from django.urls import reverse

from wagtail import hooks


@hooks.register("register_account_menu_item")
def account_email_item(request):
    return {
        "url": reverse("account_email"),
        "label": "E-mail addresses",
        "help_text": "Add an address, confirm it and make it your primary one.",
    }


@hooks.register("register_account_menu_item")
def account_password_item(request):
    return {
        "url": reverse("account_change_password"),
        "label": "Change password",
        "help_text": "Change the password you log in with.",
    }


@hooks.register("register_account_menu_item")
def account_mfa_item(request):
    return {
        "url": reverse("mfa_index"),
        "label": "Two-factor authentication",
        "help_text": "Authenticator app and recovery codes (required for staff).",
    }


@hooks.register("register_account_menu_item")
def account_profile_item(request):
    return {
        "url": reverse("profile"),
        "label": "Public profile",
        "help_text": "The display name the Community sees next to your answers.",
    }
