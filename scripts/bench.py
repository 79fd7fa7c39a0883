"""Search relevance and speed, per engine: `make bench` (python -m scripts.bench --help).

1. Relevance: loads the demo content into a scratch database, indexes it with each engine and
   prints MRR@10 and nDCG@10 over tests/search/relevance.yaml.
2. Speed: generates a synthetic corpus (by default 100,000 forum posts in 20,000 threads plus
   2,000 articles) straight into each engine (no ORM page tree), prints indexing throughput
   and p50/p95 latency of search (first page with facets, as the search page asks) and of
   suggest (type-ahead prefixes), through the same service functions the views call.

Engines: the database engine of the database in use (a scratch SQLite file unless
DATABASE_URL is set; `scripts/with-postgres.sh python -m scripts.bench --engines database`
measures PostgreSQL) and OpenSearch through a local osmem server (`--engines opensearch`).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RELEVANCE = ROOT / "tests" / "search" / "relevance.yaml"

DOMAIN = [
    "apn",
    "sim",
    "iccid",
    "imsi",
    "imei",
    "eid",
    "esim",
    "euicc",
    "modem",
    "module",
    "router",
    "gateway",
    "lte",
    "lte-m",
    "nb-iot",
    "cat-m1",
    "narrowband",
    "2g",
    "3g",
    "4g",
    "5g",
    "roaming",
    "network",
    "attach",
    "register",
    "registration",
    "signal",
    "rssi",
    "rsrp",
    "rsrq",
    "coverage",
    "antenna",
    "band",
    "tower",
    "cell",
    "operator",
    "carrier",
    "provisioning",
    "activation",
    "activate",
    "suspend",
    "deactivate",
    "lifecycle",
    "billing",
    "invoice",
    "usage",
    "data",
    "session",
    "pdp",
    "context",
    "bearer",
    "ip",
    "address",
    "static",
    "dynamic",
    "private",
    "vpn",
    "ipsec",
    "firewall",
    "nat",
    "dns",
    "ping",
    "latency",
    "timeout",
    "reboot",
    "firmware",
    "update",
    "fota",
    "quectel",
    "sierra",
    "telit",
    "ublox",
    "simcom",
    "nordic",
    "at",
    "command",
    "cgdcont",
    "cereg",
    "creg",
    "cops",
    "csq",
    "cgatt",
    "cmgs",
    "cmgf",
    "sms",
    "text",
    "message",
    "delivery",
    "report",
    "mt",
    "mo",
    "api",
    "key",
    "token",
    "webhook",
    "signature",
    "hmac",
    "rate",
    "limit",
    "401",
    "403",
    "429",
    "500",
    "pagination",
    "endpoint",
    "rest",
    "json",
    "portal",
    "alert",
    "rule",
    "automation",
    "report",
    "export",
    "csv",
    "dashboard",
    "user",
    "role",
    "password",
    "2fa",
    "ticket",
    "severity",
    "escalation",
    "outage",
    "incident",
    "maintenance",
    "psm",
    "edrx",
    "power",
    "saving",
    "battery",
    "sleep",
    "wake",
    "tracker",
    "meter",
    "sensor",
    "fleet",
    "gps",
]

COMMON = [
    "the",
    "a",
    "to",
    "and",
    "of",
    "in",
    "is",
    "it",
    "for",
    "on",
    "my",
    "with",
    "this",
    "that",
    "not",
    "but",
    "after",
    "when",
    "device",
    "devices",
    "does",
    "do",
    "how",
    "why",
    "what",
    "can",
    "we",
    "our",
    "get",
    "set",
    "use",
    "using",
    "works",
    "working",
    "stopped",
    "started",
    "again",
    "still",
    "every",
    "hour",
    "day",
    "minute",
    "since",
    "yesterday",
    "today",
    "new",
    "old",
    "all",
    "some",
    "any",
    "one",
    "two",
    "three",
    "first",
    "second",
    "problem",
    "issue",
    "error",
    "fails",
    "failed",
    "failing",
    "slow",
    "fast",
    "high",
    "low",
    "more",
    "less",
    "only",
    "also",
    "just",
    "please",
    "help",
    "thanks",
    "question",
    "answer",
    "solution",
    "fixed",
    "tried",
    "try",
    "check",
    "checked",
    "see",
    "seems",
    "like",
    "need",
    "want",
    "know",
    "customer",
    "customers",
    "production",
    "test",
    "lab",
    "site",
    "field",
    "unit",
    "units",
    "batch",
    "about",
    "between",
    "before",
    "during",
]

QUERY_WORDS = [w for w in DOMAIN if len(w) >= 3]


def setup_django(database_url: str | None) -> str:
    if not database_url and not os.environ.get("DATABASE_URL"):
        path = Path(tempfile.mkdtemp(prefix="search-bench-")) / "bench.sqlite3"
        database_url = f"sqlite:///{path}"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    ensure_postgres_database(os.environ["DATABASE_URL"])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resourcecenter.settings.test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return os.environ["DATABASE_URL"]


def ensure_postgres_database(url: str) -> None:
    """scripts/with-postgres.sh starts an empty server: create the database if needed."""
    if not url.startswith(("postgres://", "postgresql://")):
        return
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')  # noqa: S608 - name from our own URL


def _pseudo_words(rng: random.Random, n: int) -> list[str]:
    """A long tail of made-up words, like the rare words of a real forum."""
    syllables = "ka lo mi ne ru ta so ve di pa gu fe zo ri mo la ne po shi tra bel con"
    parts = syllables.split()
    words = set()
    while len(words) < n:
        words.add("".join(rng.choice(parts) for _ in range(rng.randint(2, 4))))
    return sorted(words)


class Vocabulary:
    """Zipf-distributed words: common English first, domain terms spread over the ranks
    (so "apn" is frequent but not in every post), then a long tail of rare words."""

    def __init__(self, rng: random.Random, tail: int = 6000):
        ranked = list(COMMON)
        tail_words = _pseudo_words(rng, tail)
        domain = list(DOMAIN)
        rng.shuffle(domain)
        for i, word in enumerate(tail_words):
            ranked.append(word)
            if i % 12 == 0 and domain:
                ranked.append(domain.pop())
        ranked += domain
        self.words = ranked
        total, self.cum = 0.0, []
        for i in range(len(ranked)):
            total += 1.0 / (i + 1) ** 1.05
            self.cum.append(total)

    def sample(self, rng: random.Random, n: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cum, k=n)


def _text(rng: random.Random, vocab: Vocabulary, topic: list[str], words: int) -> str:
    """Sentences of Zipf words with the thread's topic words sprinkled in."""
    out = vocab.sample(rng, words)
    for _ in range(max(words // 25, 1)):
        out[rng.randrange(len(out))] = rng.choice(topic)
    sentences, i = [], 0
    while i < len(out):
        n = rng.randint(8, 20)
        sentences.append(" ".join(out[i : i + n]).capitalize() + ".")
        i += n
    return " ".join(sentences)


def synthetic_documents(threads: int, posts: int, articles: int, seed: int = 7):
    """Documents shaped like production ones: threads carry their posts' text."""
    from django.utils import timezone

    from search.documents import SearchDocument

    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    vocab = Vocabulary(rng)
    tags = rng.sample(DOMAIN, 40)
    now = timezone.now()
    per_thread = max(posts // max(threads, 1), 1)
    areas = ["sims", "connectivity", "data-sms", "troubleshooting", "portal", "api", "support"]
    for i in range(threads):
        topic = rng.sample(DOMAIN, 3)
        title = topic[:2] + vocab.sample(rng, rng.randint(2, 5))
        rng.shuffle(title)
        body = " ".join(_text(rng, vocab, topic, rng.randint(30, 90)) for _ in range(per_thread))
        if rng.random() < 0.02:
            body += f" ICCID 89012608823{i:08d}"
        updated = now - timedelta(days=rng.randint(0, 1500))
        yield SearchDocument(
            kind="thread",
            id=f"thread:{i}",
            url=f"/community/t/{i}/bench/",
            title=" ".join(title).capitalize(),
            body=body,
            tags=rng.sample(tags, rng.randint(0, 3)),
            section=f"Category {i % 12}",
            audience=["public"] if rng.random() < 0.9 else ["infinity"],
            solved=rng.random() < 0.4,
            staff_answered=rng.random() < 0.25,
            created=updated - timedelta(days=rng.randint(0, 30)),
            updated=updated,
            popularity=rng.random() * 50,
        )
    kinds = ["tutorial", "guide", "code_sample", "video", "support_topic"]
    for i in range(articles):
        topic = rng.sample(DOMAIN, 3)
        updated = now - timedelta(days=rng.randint(0, 900))
        area = areas[i % len(areas)]
        yield SearchDocument(
            kind=kinds[i % len(kinds)],
            id=f"page:{i}",
            url=f"/bench/article-{i}/",
            title=" ".join(topic + vocab.sample(rng, 3)).capitalize(),
            headings=" · ".join(_text(rng, vocab, topic, 4) for _ in range(rng.randint(2, 6))),
            body=_text(rng, vocab, topic, rng.randint(400, 1200)),
            tags=rng.sample(tags, rng.randint(1, 4)),
            product_area=area,
            product_area_name=area.title(),
            section=f"Section {i % 9}",
            audience=["public"],
            created=updated,
            updated=updated,
        )


def bench_queries(rng: random.Random, n: int) -> tuple[list[str], list[str]]:
    from search.evaluation import load_judgements

    labelled = [j.query for j in load_judgements(RELEVANCE)]
    searches = []
    for _ in range(n):
        r = rng.random()
        if r < 0.3:
            searches.append(rng.choice(labelled))
        elif r < 0.8:
            searches.append(" ".join(rng.sample(QUERY_WORDS, rng.randint(1, 3))))
        elif r < 0.9:
            a, b = rng.sample(QUERY_WORDS, 2)
            searches.append(f'"{a} {b}" {rng.choice(QUERY_WORDS)}')
        else:
            searches.append(f"{rng.choice(QUERY_WORDS)} -{rng.choice(QUERY_WORDS)}")
    suggests = []
    for _ in range(n):
        words = rng.sample(QUERY_WORDS, rng.randint(1, 2))
        text = " ".join(words)
        cut = rng.randint(2, len(text))
        suggests.append(text[:cut])
    return searches, suggests


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    if not values:
        return 0.0
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def run_relevance(engines) -> None:
    """The demo set, per engine and query kind, beside BM25 over the same documents."""
    from scripts.bench_real import print_table
    from search.evaluation import (
        Bm25Baseline,
        by_kind,
        load_judgements,
        score,
        score_ranking,
        suffix_match,
    )
    from search.registry import providers

    judgements = load_judgements(RELEVANCE)
    docs = [doc for p in providers() for doc in p.iter_documents()]
    baseline = Bm25Baseline(docs)
    scores = {
        "bm25": [
            score_ranking(j, [d.url for d in baseline.search(j.query)], suffix_match)
            for j in judgements
        ]
    }
    for label, engine in engines:
        engine.rebuild(docs)
        scores[label] = score(engine, judgements)
    kinds = sorted({j.kind for j in judgements}) + ["all"]
    print_table(
        f"Relevance (demo content, {len(judgements)} labelled queries)",
        {label: by_kind(s) for label, s in scores.items()},
        kinds,
    )
    for label, engine_scores in scores.items():
        for s in engine_scores:
            if s.rank != 1:
                print(
                    f"    {label:<10} rank {s.rank or '-':>2}  {s.query!r:40} "
                    f"top: {', '.join(s.top[:2])}"
                )


def run_speed(engine, label: str, args) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.test import override_settings

    from search import services
    from search.engines import _engines

    started = time.perf_counter()
    docs = list(synthetic_documents(args.threads, args.posts, args.articles))
    print(f"  {label:<12} generated the corpus in {time.perf_counter() - started:.1f} s")
    count = args.threads + args.articles
    started = time.perf_counter()
    done = engine.rebuild(docs, batch_size=1000)
    seconds = time.perf_counter() - started
    print(
        f"  {label:<12} indexed {done:,} documents ({args.posts:,} posts in {args.threads:,} "
        f"threads + {args.articles:,} articles) in {seconds:.1f} s: {done / seconds:,.0f} docs/s, "
        f"{(args.posts + args.articles) / seconds:,.0f} posts+articles/s"
    )
    if done != count:
        raise SystemExit(f"indexed {done} documents, expected {count}")
    rng = random.Random(11)  # noqa: S311 - reproducible test data
    searches, suggests = bench_queries(rng, args.queries)
    anonymous = AnonymousUser()
    key = engine_key(engine)
    _engines[key] = engine
    if args.dense:
        store_random_vectors(docs)
        print(f"  {label:<12} dense on: random vectors stored, queries encoded by the model")
    else:
        print(f"  {label:<12} dense off: lexical ranking only")
    with override_settings(
        SEARCH_URL=getattr(engine, "_bench_url", ""), SEARCH_DENSE=bool(args.dense)
    ):
        for q in searches[:10] + suggests[:10]:  # warm caches
            services.search(anonymous, q, log=False)
        timings = {"search": [], "suggest": []}
        totals = []
        for q in searches:
            t = time.perf_counter()
            outcome = services.search(anonymous, q, log=False)
            timings["search"].append((time.perf_counter() - t) * 1000)
            totals.append(outcome.result.total)
        for q in suggests:
            t = time.perf_counter()
            services.suggest(anonymous, q)
            timings["suggest"].append((time.perf_counter() - t) * 1000)
    for name, values in timings.items():
        print(
            f"  {label:<12} {name:<8} p50 {percentile(values, 0.5):6.1f} ms   "
            f"p95 {percentile(values, 0.95):6.1f} ms   max {max(values):6.1f} ms "
            f"({len(values)} queries)"
        )
    print(f"  {label:<12} median hits per search: {statistics.median(totals):,.0f}")


def store_random_vectors(docs) -> None:
    """`--dense`: a unit vector per synthetic document, drawn at random, of the configured
    model's length. The made-up words have no meaning to encode (and with the MiniLM model
    encoding 22,000 documents takes most of an hour; a document's cost is measured by
    bench_real); what is timed is the query side: the query's vector, the candidates'
    vectors read, the fusion."""
    import numpy as np

    from search import dense
    from search.models import SearchVector

    rng = np.random.default_rng(5)
    dims = dense.encoder().encode(["modem"]).shape[1]
    SearchVector.objects.all().delete()
    for start in range(0, len(docs), 2000):
        chunk = docs[start : start + 2000]
        vectors = rng.standard_normal((len(chunk), dims)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        SearchVector.objects.bulk_create(
            SearchVector(doc_id=doc.id, digest="bench", vector=vector.tobytes())
            for doc, vector in zip(chunk, vectors, strict=True)
        )


def engine_key(engine) -> str:
    from django.db import connection

    url = getattr(engine, "_bench_url", "")
    return url or f"db:{connection.vendor}"


def load_demo() -> None:
    """The demo content (Resource Center, forum, synonyms): what a user sees beside the rest."""
    import io

    from django.core.management.color import no_style

    from forum.demo import load as forum_load
    from kb.demo import load_content
    from search.demo import ensure_synonyms

    load_content()
    forum_load(io.StringIO(), no_style())
    ensure_synonyms()


@contextmanager
def start_engines(wanted: set[str]):
    """[(label, engine)]: the database engine in use and/or OpenSearch on a local osmem."""
    from django.db import connection

    from search.engines import engine_for

    engines = []
    server = None
    if "database" in wanted:
        engines.append((connection.vendor, engine_for("", connection.vendor)))
    try:
        if "opensearch" in wanted:
            from osmem_server import OsmemServer

            from search.engines.elastic import ElasticEngine

            server = OsmemServer.start(japanese=False)
            os_url = f"opensearch+{server.url}"
            os_engine = ElasticEngine(os_url, prefix="bench")
            os_engine._bench_url = os_url
            os_engine.timeout = 600.0  # bulk loads of a real corpus on a busy machine
            engines.append(("opensearch", os_engine))
        yield engines
    finally:
        if server is not None:
            server.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="forum posts (default 100000)")
    parser.add_argument("--posts-per-thread", type=int, default=5)
    parser.add_argument("--articles", type=int, default=None, help="default: size / 50")
    parser.add_argument("--queries", type=int, default=300, help="timed queries per kind")
    parser.add_argument(
        "--engines",
        default="database,opensearch",
        help="comma-separated: database, opensearch (default both)",
    )
    parser.add_argument("--skip-relevance", action="store_true")
    parser.add_argument(
        "--dense",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="rank with the hybrid ranking (SEARCH_DENSE, on by default; for the timings the "
        "synthetic documents get random vectors, queries are encoded by the model)",
    )
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--database-url", help="default: DATABASE_URL or a scratch SQLite file")
    args = parser.parse_args(argv)
    if args.size < 1 or args.posts_per_thread < 1 or args.queries < 1:
        parser.error("--size, --posts-per-thread and --queries must be positive")
    args.posts = args.size
    args.threads = max(args.size // args.posts_per_thread, 1)
    args.articles = args.articles if args.articles is not None else max(args.size // 50, 1)
    wanted = {e.strip() for e in args.engines.split(",") if e.strip()}
    unknown = wanted - {"database", "opensearch"}
    if unknown:
        parser.error(f"unknown engine(s): {', '.join(sorted(unknown))}")

    url = setup_django(args.database_url)
    from django.db import connection

    print(f"Database: {connection.vendor} ({url.split('@')[-1]})")
    load_demo()
    with start_engines(wanted) as engines:
        if not args.skip_relevance:
            from django.test import override_settings

            print(f"hybrid ranking (dense vectors): {'on' if args.dense else 'off'}")
            with override_settings(SEARCH_DENSE=bool(args.dense)):
                run_relevance(engines)
        if not args.skip_speed:
            print(
                f"Speed (synthetic corpus: {args.posts:,} posts, {args.threads:,} threads, "
                f"{args.articles:,} articles):"
            )
            for label, engine in engines:
                run_speed(engine, label, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
