"""Set up two-factor authentication for a staff member, by an administrator, in person."""

from django.core.management.base import BaseCommand, CommandError

from allauth.mfa.adapter import get_adapter

from resourcecenter.mfa_enrolment import provision_totp
from resourcecenter.models import User


class Command(BaseCommand):
    help = (
        "Create an authenticator-app secret for a user who has none (for staff whose address "
        "cannot receive the enrolment code). Hand the secret to the person directly."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="the account's e-mail address")

    def handle(self, *args, email, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account has the address {email}.")
        try:
            secret = provision_totp(user)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Secret for {user.email}: {secret}")
        self.stdout.write(f"otpauth URL: {get_adapter().build_totp_url(user, secret)}")
        self.stdout.write(
            "Give it to the person directly (not by e-mail); they add it to their authenticator "
            "app and can then log in."
        )
