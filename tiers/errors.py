"""The one error tiers services raise for a request the rules do not allow."""


class TierError(Exception):
    """A request the rules do not allow; the message is shown to the user."""
