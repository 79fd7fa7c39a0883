from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Extension point for account flows (kept in one place, as allauth intends)."""
