"""Forum page speed against the peers' harness: `make bench-forum` (python -m scripts.bench_forum).

Builds the peers' dataset shape in our forum - 50 users, one category, 2,000 threads, 20,000
posts of 50-300 words, thread #1 with 200 posts - with the peers' own generator and seed (their
`common/benchlib.py`, found through --peers or $PEERS), then times our pages with their timing
loop (in-process test client, DEBUG off, warm-up, 50 requests per page, median / p95 ms, SQL
queries per request) and prints the same table the peers print.

    python -m scripts.bench_forum all          # migrate, populate if needed, run
    python -m scripts.bench_forum populate     # (re)build the dataset
    python -m scripts.bench_forum run          # time the pages
    python -m scripts.bench_forum run --with-peers --rounds 2
        # interleave the peers' own `bench.py run` (spirit, ours, machina, ours ...) on the same
        # PostgreSQL server and print the side-by-side table (ours / fastest peer)

Needs DATABASE_URL (PostgreSQL); `make bench-forum` starts a throwaway server for it. Beside the
peers, point DATABASE_URL at a database on the peers' server (see README, "Forum speed").
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
N_USERS, N_THREADS, BIG, TOTAL = 50, 2000, 200, 20000
CATEGORY = "General discussion"
TAG = "general"
STAFF_EMAIL = "bench-staff@example.com"
PASSWORD = "bench-password-2026"  # noqa: S105 - a throwaway benchmark account


def _peers_dir(arg: str | None) -> Path:
    for candidate in (arg, os.environ.get("PEERS"), str(ROOT.parent / "shared" / "peers-bench")):
        if candidate and (Path(candidate) / "common" / "benchlib.py").exists():
            return Path(candidate).resolve()
    sys.exit("bench_forum: the peers' harness (common/benchlib.py) was not found: pass --peers DIR")


def _benchlib(peers: Path):
    spec = importlib.util.spec_from_file_location("benchlib", peers / "common" / "benchlib.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _setup_django() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench_forum: set DATABASE_URL to a PostgreSQL database (or use make bench-forum)")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scripts.bench_forum_settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- the dataset -------------------------------------------------------------------------------


def populate(B) -> None:
    """The peers' dataset in our models (bulk inserts, then the same recomputation services
    use for counters). Post bodies are rendered by forum.markdown, as a reply would be."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.db.models import Count
    from django.utils import timezone

    from forum.markdown import POLICY_VERSION, render_markdown
    from forum.models import Category, Member, Post, Tag, Thread, TrustLevel
    from forum.services import refresh_thread_stats
    from resourcecenter.roles import ANALYSTS_GROUP

    User = get_user_model()
    t0 = time.time()
    rng = B.make_rng(42)
    with transaction.atomic():
        Post.objects.all().delete()
        Thread.objects.all().delete()
        Category.objects.filter(name=CATEGORY).delete()
        User.objects.filter(email__startswith="user", email__endswith="@example.com").delete()
        User.objects.filter(email=STAFF_EMAIL).delete()
        users = [
            User.objects.create_user(
                f"user{i}@example.com", PASSWORD if i == 0 else None, display_name=f"user{i:03d}"
            )
            for i in range(N_USERS)
        ]
        staff = User.objects.create_user(STAFF_EMAIL, PASSWORD, display_name="Bench Staff")
        staff.groups.add(Group.objects.get_or_create(name=ANALYSTS_GROUP)[0])
        _verify_emails(users + [staff])
        Member.objects.bulk_create(
            [
                Member(user=u, handle=u.display_name, trust_level=TrustLevel.MEMBER)
                for u in users + [staff]
            ]
        )
        category = Category.objects.create(
            name=CATEGORY, slug="general-discussion", description="Benchmark forum"
        )
        tag, _ = Tag.objects.get_or_create(name=TAG, defaults={"slug": TAG})
        plan = B.post_plan(N_THREADS, BIG, TOTAL)
        base = timezone.now() - dt.timedelta(days=30)
        threads = []
        for i, n in enumerate(plan):
            subject = B.title(rng)
            threads.append(
                Thread(
                    title=subject,
                    slug=(_slug(subject) or "thread")[:200],
                    category=category,
                    author=users[rng.randrange(N_USERS)],
                    created_at=base + dt.timedelta(minutes=i),
                    last_activity_at=base + dt.timedelta(minutes=i),
                    last_post_number=n,
                )
            )
        threads = Thread.objects.bulk_create(threads, batch_size=1000)
        Thread.tags.through.objects.bulk_create(
            [Thread.tags.through(thread_id=t.pk, tag_id=tag.pk) for t in threads], batch_size=1000
        )
        posts = []
        for thread, n in zip(threads, plan, strict=True):
            for j in range(n):
                text = B.body(rng)
                author = thread.author if j == 0 else users[rng.randrange(N_USERS)]
                posts.append(
                    Post(
                        thread=thread,
                        number=j + 1,
                        author=author,
                        body_markdown=text,
                        body_html=render_markdown(text),
                        rendered_with_policy_version=POLICY_VERSION,
                        created_at=thread.created_at + dt.timedelta(seconds=j * 7),
                    )
                )
        print(f"generated {len(posts)} posts in {time.time() - t0:.1f}s", flush=True)
        Post.objects.bulk_create(posts, batch_size=1000)
        for thread in threads:
            refresh_thread_stats(thread.pk)
        counts = dict(Post.objects.values_list("author").annotate(c=Count("pk")))
        for member in Member.objects.all():
            Member.objects.filter(pk=member.pk).update(
                approved_post_count=counts.get(member.user_id, 0)
            )
        _after_populate(threads, plan)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"populated: users={User.objects.count()} categories={Category.objects.count()} "
        f"threads={Thread.objects.count()} posts={Post.objects.count()} "
        f"big-thread posts={Post.objects.filter(thread=threads[0]).count()} "
        f"in {time.time() - t0:.1f}s"
    )


def _after_populate(threads, plan) -> None:
    """Fill whatever the forum derives at write time for the bulk-inserted rows (bulk_create
    bypasses the services), so pages see what a real site would."""
    try:
        from forum.services import refresh_derived_fields
    except ImportError:
        return
    refresh_derived_fields()


def _slug(text: str) -> str:
    from django.utils.text import slugify

    return slugify(text)


def _verify_emails(users) -> None:
    from allauth.account.models import EmailAddress

    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
        ignore_conflicts=True,
    )


# --- timing ------------------------------------------------------------------------------------


class BenchError(RuntimeError):
    """A page answered something other than what the timing loop expects."""


def _expect(ok: bool, *detail) -> None:
    if not ok:
        raise BenchError(*detail)


def time_post(B, client, url, data, *, n=50, warmup=3, label=None, expect=302):
    """benchlib.time_get's loop for a POST (the redirect after it is not followed)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(warmup):
        r = client.post(url, {k: v.format(i=f"w{i}") for k, v in data.items()})
        _expect(r.status_code == expect, url, r.status_code, r.content[:500])
    times, qcounts = [], []
    for i in range(n):
        connection.queries_log.clear()
        payload = {k: v.format(i=i) for k, v in data.items()}
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            r = client.post(url, payload)
            t1 = time.perf_counter()
        _expect(r.status_code == expect, url, r.status_code, r.content[:300])
        times.append((t1 - t0) * 1000)
        qcounts.append(len(ctx.captured_queries))
    return {
        "label": label or url,
        "url": url,
        "n": n,
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(B.pctl(times, 95), 2),
        "min_ms": round(min(times), 2),
        "queries": sorted(set(qcounts)),
        "bytes": 0,
    }


def run(B, *, n: int = 50) -> dict[str, dict]:
    """Time our pages; returns {key: benchlib result row}."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from forum.models import Category, Tag, Thread

    _expect(not settings.DEBUG, "DEBUG must be off")
    User = get_user_model()
    category = Category.objects.get(name=CATEGORY)
    big = Thread.objects.filter(category=category).order_by("-last_post_number").first()
    _expect(big.last_post_number == BIG, "no 200-post thread: populate first")
    second = Thread.objects.filter(category=category).exclude(pk=big.pk).order_by("pk").first()
    thread_url = big.get_absolute_url()
    index_url = "/community/"
    category_url = category.get_absolute_url()
    tag_url = Tag.objects.get(name=TAG).get_absolute_url()
    triage_url = "/community/triage/?view=no_staff"
    reply_url = f"/community/t/{second.pk}/reply/"

    rows: dict[str, dict] = {}
    anon = Client()
    rows["thread_anon"] = B.time_get(anon, thread_url, n=n, label="thread (200 posts), page 1")
    rows["index_anon"] = B.time_get(anon, index_url, n=n, label="forum index")
    rows["category_anon"] = B.time_get(anon, category_url, n=n, label="category list, page 1")
    rows["tag_anon"] = B.time_get(anon, tag_url, n=n, label="tag page, page 1")
    member = Client()
    member.force_login(User.objects.get(email="user0@example.com"))
    rows["thread_auth"] = B.time_get(member, thread_url, n=n, label="thread (200 posts), page 1")
    rows["index_auth"] = B.time_get(member, index_url, n=n, label="forum index")
    rows["category_auth"] = B.time_get(member, category_url, n=n, label="category list, page 1")
    rows["tag_auth"] = B.time_get(member, tag_url, n=n, label="tag page, page 1")
    staff = Client()
    staff.force_login(User.objects.get(email=STAFF_EMAIL))
    rows["triage_staff"] = B.time_get(staff, triage_url, n=n, label="triage (support staff)")
    rows["reply_post"] = time_post(
        B,
        member,
        reply_url,
        {"body": "Benchmark reply {i}: have you tried the database settings again?"},
        n=n,
        label="posting a reply",
    )
    B.print_results("ours, anonymous", [rows[k] for k in rows if k.endswith("_anon")])
    B.print_results(
        "ours, signed in (user000; triage as support staff)",
        [rows[k] for k in rows if not k.endswith("_anon")],
    )
    _cleanup_replies(second)
    return rows


def _cleanup_replies(thread) -> None:
    """Remove the timing loop's replies and queued tasks, so runs stay comparable."""
    from django_tasks_db.models import DBTaskResult

    from forum.models import Post
    from forum.services import refresh_thread_stats
    from search.models import IndexOutbox

    Post.objects.filter(thread=thread, body_markdown__startswith="Benchmark reply").delete()
    from forum.models import Thread

    Thread.objects.filter(pk=thread.pk).update(
        last_post_number=Post.objects.filter(thread=thread).count()
    )
    refresh_thread_stats(thread.pk)
    DBTaskResult.objects.all().delete()
    IndexOutbox.objects.all().delete()


# --- the peers, interleaved --------------------------------------------------------------------

PEER_SITES = {
    "Spirit": ("spirit", "site_spirit.settings.bench"),
    "machina": ("machina", "site_machina.settings"),
}
PEER_LABELS = {  # their row label -> our page key (without _anon / _auth)
    "topic (200 comments), page 1": "thread",
    "topic (200 posts), page 1": "thread",
    "index (active topics)": "index",
    "board index": "index",
    "category topic list, page 1": "category",
    "forum topic list, page 1": "category",
    "posting a reply": "reply",
}
ROW = re.compile(
    r"^\| (?P<label>.+?) `[^`]*` \| (?P<median>[\d.]+) \| [\d.]+ \| [\d.]+ \| (?P<q>[\d-]+) \|"
)


def run_peer(peers: Path, name: str) -> dict[str, tuple[float, str]]:
    """Run a peer's own `bench.py run`; {page key with _anon/_auth: (median ms, queries)}."""
    folder, _ = PEER_SITES[name]
    python = peers / folder / "venv" / "bin" / "python"
    env = {**os.environ, "PEERS": str(peers)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    scripts = [["bench.py", "run"]]
    if name == "Spirit":  # its reply, with our POST loop (the harness times only pages)
        scripts.append([str(Path(__file__).with_name("bench_forum_spirit_reply.py"))])
    out = "\n".join(
        subprocess.run(  # noqa: S603 - the peers' own interpreter and script
            [str(python), *script],
            cwd=peers / folder,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for script in scripts
    )
    result, suffix = {}, "_anon"
    for line in out.splitlines():
        if line.startswith("## "):
            suffix = "_anon" if "anonymous" in line else "_auth"
        match = ROW.match(line)
        if match and match["label"] in PEER_LABELS:
            result[PEER_LABELS[match["label"]] + suffix] = (float(match["median"]), match["q"])
    return result


COMPARE = [  # (our key, label, the peers' key it is compared with)
    ("thread_anon", "thread page, anonymous (20 posts)", "thread_anon"),
    ("thread_auth", "thread page, signed in", "thread_auth"),
    ("category_anon", "category list, anonymous", "category_anon"),
    ("category_auth", "category list, signed in", "category_auth"),
    ("index_anon", "forum index, anonymous", "index_anon"),
    ("index_auth", "forum index, signed in", "index_auth"),
    ("tag_anon", "tag page, anonymous (vs their category list)", "category_anon"),
    ("tag_auth", "tag page, signed in (vs their category list)", "category_auth"),
    ("triage_staff", "triage, support staff (vs their category list)", "category_auth"),
    ("reply_post", "posting a reply", "reply_auth"),
]


def side_by_side(ours: list[dict], peers: dict[str, list[dict]]) -> None:
    def med(runs, key):
        values = [r[key] for r in runs if key in r]
        return statistics.median(values) if values else None

    print(f"\n## side by side ({len(ours)} runs of ours interleaved; median of their medians)")
    print(f"load: {_uptime()}")
    names = list(peers)
    print("| page (median ms, SQL queries) | ours | " + " | ".join(names) + " | fastest / ours |")
    print("|---|---:|" + "---:|" * len(names) + "---:|")
    for key, label, peer_key in COMPARE:
        ours_ms = statistics.median(r[key]["median_ms"] for r in ours)
        queries = ours[-1][key]["queries"]
        q = str(queries[0]) if len(queries) == 1 else f"{queries[0]}-{queries[-1]}"
        cells, best = [], None
        for name in names:
            value = med([{k: v[0] for k, v in r.items()} for r in peers[name]], peer_key or "")
            qs = peers[name][-1].get(peer_key or "", (None, "?"))[1] if value else ""
            cells.append(f"{value:.1f} ({qs} q)" if value is not None else "-")
            if value is not None:
                best = value if best is None else min(best, value)
        ratio = f"{best / ours_ms:.1f}x" if best else "-"
        print(f"| {label} | {ours_ms:.1f} ({q} q) | " + " | ".join(cells) + f" | {ratio} |")


def _uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()  # noqa: S607
    except OSError:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["all", "populate", "run"], nargs="?", default="all")
    parser.add_argument("--peers", help="the peers' harness folder (with common/benchlib.py)")
    parser.add_argument("--with-peers", action="store_true", help="interleave the peers' runs")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("-n", type=int, default=50, help="requests per page")
    args = parser.parse_args()
    peers = _peers_dir(args.peers)
    B = _benchlib(peers)
    _setup_django()
    from django.core.management import call_command

    from forum.models import Post

    if args.command in ("all", "populate"):
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        if args.command == "populate" or Post.objects.count() < TOTAL:
            populate(B)
    if args.command in ("all", "run"):
        print(f"load before: {_uptime()}")
        ours, theirs = [], {name: [] for name in PEER_SITES} if args.with_peers else {}
        for _ in range(args.rounds):
            for name in theirs:
                theirs[name].append(run_peer(peers, name))
                ours.append(run(B, n=args.n))
            if not theirs:
                ours.append(run(B, n=args.n))
        side_by_side(ours, theirs)


if __name__ == "__main__":
    main()
