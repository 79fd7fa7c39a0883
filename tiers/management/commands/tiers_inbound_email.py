import sys

from django.core.management.base import BaseCommand, CommandError

from tiers.tickets.inbound import handle


class Command(BaseCommand):
    help = "Feed one raw RFC 822 e-mail (a file, or stdin) to the support mailbox."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="The message file; stdin when omitted.")

    def handle(self, *args, path=None, **options):
        if path:
            try:
                with open(path, "rb") as handle_:
                    raw = handle_.read()
            except OSError as exc:
                raise CommandError(f"Cannot read {path}: {exc}") from exc
        else:
            raw = sys.stdin.buffer.read()
        if not raw.strip():
            raise CommandError("The message is empty.")
        result = handle(raw)
        case = f" {result.ticket.case_number}" if result.ticket else ""
        detail = f" ({result.detail})" if result.detail else ""
        self.stdout.write(f"{result.action}{case}{detail}")
