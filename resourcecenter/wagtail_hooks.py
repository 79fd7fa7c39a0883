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


@hooks.register("before_serve_page")
def allow_anonymous_page_cache(page, request, serve_args, serve_kwargs):
    """A page everyone may read (no Wagtail view restriction, no plan gate) may be kept for
    anonymous visitors (resourcecenter.pagecache); a gated page is never kept."""
    from resourcecenter import access, pagecache

    if getattr(request, "is_preview", False) or request.user.is_authenticated:
        return
    if list(access.page_audience(page)) != [access.PUBLIC]:
        return
    if page.get_view_restrictions().exists():
        return
    pagecache.allow(request)
