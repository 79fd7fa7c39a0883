"""Spirit's reply, timed with our `scripts.bench_forum.time_post` loop (the peers' harness times
only pages). Run by `scripts.bench_forum run --with-peers` with Spirit's own interpreter, in
Spirit's folder of the peers' harness ($PEERS/spirit), on the dataset its `bench.py populate`
built: 50 replies by user000 to the second topic, removed again afterwards. Spirit's own limit
of one reply per 10 seconds is switched off, as the bench raises ours.
"""

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PEERS = Path(os.environ["PEERS"])
sys.path[:0] = [str(PEERS / "common"), str(PEERS / "spirit" / "site_spirit"), str(REPO)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_spirit.settings.bench")
os.environ["DJANGO_DEBUG"] = "0"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

import benchlib  # noqa: E402
from spirit.comment.models import Comment  # noqa: E402
from spirit.topic.models import Topic  # noqa: E402

from scripts.bench_forum import time_post  # noqa: E402  (the same loop as ours)

REPLY = "Benchmark reply {i}: have you tried the database settings again?"


def main() -> None:
    if settings.DEBUG:
        raise SystemExit("Spirit's bench settings must run with DEBUG off")
    settings.ST_RATELIMIT_ENABLE = False
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    topic = Topic.objects.exclude(comment_count__gte=200).order_by("pk").first()
    client = Client()
    client.force_login(get_user_model().objects.get(username="user000"))
    url = reverse("spirit:comment:publish", kwargs={"topic_id": topic.pk})
    try:
        row = time_post(benchlib, client, url, {"comment": REPLY}, n=n, label="posting a reply")
    finally:
        Comment.objects.filter(topic=topic, comment__startswith="Benchmark reply").delete()
        Topic.objects.filter(pk=topic.pk).update(
            comment_count=Comment.objects.filter(topic=topic).count()
        )
    benchlib.print_results("Spirit, posting a reply (user000)", [row])


if __name__ == "__main__":
    main()
