"""Re-render stored post HTML made under an older sanitiser policy (forum.markdown)."""

from django.core.management.base import BaseCommand

from forum.markdown import POLICY_VERSION
from forum.models import Post
from forum.post_text import rerender_outdated_posts, rerender_post


class Command(BaseCommand):
    help = (
        "Re-render the stored HTML of forum posts rendered under an older sanitiser policy "
        "version (or of all posts with --all)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", help="Re-render every post, not only outdated ones."
        )

    def handle(self, *args, **options):
        if options["all"]:
            posts = Post.objects.only("pk", "body_markdown", "restricted_markup").iterator()
            count = sum(1 for post in posts if rerender_post(post) is None)
        else:
            count = rerender_outdated_posts()
        self.stdout.write(
            self.style.SUCCESS(f"Re-rendered {count} post(s) with policy version {POLICY_VERSION}.")
        )
