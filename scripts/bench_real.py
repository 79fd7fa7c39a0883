"""Search relevance on real public content: `make bench-real CORPORA=DIR`
(python -m scripts.bench_real --help).

For each labelled set in tests/search/real/*.yaml, the corpus it was written over (a public
repository at a pinned commit, cloned by hand into CORPORA/<owner>+<name>, see the README) is
imported with the product's own importer into a scratch database that already holds the demo
content (what a user sees), indexed by each engine, and searched through the same service
functions the views call. Beside each engine, a plain BM25 ranking (rank-bm25: title twice,
headings and body once, English stemming) of the same documents, computed in the same run.

Printed per set and engine: MRR@10, success@1, success@10 and nDCG@10 per query kind and
overall, and how often the type-ahead's first article is the full search's first article.
Tune on `--split tuning` (the default); evaluate `--split validation` once, at the end.
"""

from __future__ import annotations

import argparse
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from scripts.bench import ROOT, load_demo, setup_django, start_engines

SETS = ROOT / "tests" / "search" / "real"
SUGGESTIONS = 8  # what the type-ahead shows (services.suggest)


class _Rollback(Exception):
    pass


@contextmanager
def scratch_transaction(keep: bool = False):
    """Everything inside is undone afterwards (one set's corpus never leaks into the next),
    unless `keep`: then a later run on the same database skips the import."""
    from django.db import transaction

    try:
        with transaction.atomic():
            yield
            if not keep:
                raise _Rollback
    except _Rollback:
        pass


def corpus_folder(real, corpora: Path) -> Path:
    folder = real.corpus.get("folder")
    if not folder:
        repository = str(real.corpus.get("repository") or real.corpus.get("repo") or "")
        repository = repository.removeprefix("https://github.com/").removesuffix(".git")
        folder = repository.replace("/", "+")
    return corpora / folder


def import_corpus(real, corpora: Path) -> dict[str, str]:
    """Import the set's corpus; returns {URL: key} for the pages or threads it made (the key
    is what the set's `expected` names: a doc path, or a community question id)."""
    from django.contrib.auth.models import AnonymousUser  # noqa: F401 - app registry ready

    folder = corpus_folder(real, corpora)
    if real.is_community:
        return import_community(real, folder)
    from kb.importer import import_docs
    from kb.models import ResourceIndexPage
    from kb.search_documents import PAGE_MODELS

    root = folder / str(real.corpus.get("docs_root") or real.corpus.get("root") or "docs")
    if not root.is_dir():
        raise SystemExit(f"{real.name}: {root} is missing (see the README: what to clone)")
    section = corpus_section(real)
    if not any(
        model.objects.descendant_of(section).exclude(source_path="").exists()
        for model in PAGE_MODELS
    ):
        started = time.perf_counter()
        report = import_docs(root, section)
        print(
            f"  imported {root.name}/ of {folder.name}: {len(report.results)} files in "
            f"{time.perf_counter() - started:.0f} s"
        )

    keys: dict[str, str] = {}
    for model in (*PAGE_MODELS, ResourceIndexPage):
        for page in model.objects.descendant_of(section).exclude(source_path=""):
            url = page.get_url()
            if url:
                keys[url] = normalize_doc_path(page.source_path)
    return keys


def corpus_section(real):
    """The section a corpus is imported under, made on first use.

    The demo Resource Center is itself an imported tree below the home page: a corpus imported
    there too would be matched to the demo's pages by path (a corpus's `getting-started.md`
    would overwrite the demo page of that name), and its pages could not be told apart from
    the demo's. Below a section of its own (no text: not searchable itself) neither happens.
    """
    from django.utils.text import slugify

    from kb.importer.parents import default_parent
    from kb.models import ResourceIndexPage

    home = default_parent()
    slug = f"real-{slugify(real.name)}"
    section = ResourceIndexPage.objects.child_of(home).filter(slug=slug).first()
    if section is None:
        section = ResourceIndexPage(title=real.name, slug=slug)
        home.add_child(instance=section)
    return section


def import_community(real, folder: Path) -> dict[str, str]:
    """A Stack Exchange dump through the community importer (when this checkout has it);
    every thread URL and post permalink maps to its question's Id."""
    try:
        from forum.importers.stackexchange import import_stackexchange
        from forum.models import ImportedKind, ImportedRecord, Post, Thread
    except ImportError as exc:
        raise SystemExit(f"{real.name}: no community importer in this checkout ({exc})") from exc
    root = folder / str(real.corpus.get("docs_root") or "")
    if not ImportedRecord.objects.filter(kind=ImportedKind.QUESTION).exists():
        started = time.perf_counter()
        import_stackexchange(root)
        print(f"  imported {root.name} in {time.perf_counter() - started:.0f} s")
    question_of = dict(
        ImportedRecord.objects.filter(kind=ImportedKind.QUESTION).values_list(
            "object_id", "source_id"
        )
    )
    keys = {}
    for thread in Thread.objects.filter(pk__in=list(question_of)):
        keys[thread.get_absolute_url()] = str(question_of[thread.pk])
    for post in Post.objects.filter(thread_id__in=list(question_of)).only("pk", "thread_id"):
        keys[post.get_absolute_url()] = str(question_of[post.thread_id])
    return keys


def normalize_doc_path(path: str) -> str:
    """A document's path relative to its docs root, the way the importer keys it: no suffix;
    a folder's index file stands for the folder ("sims/index.md" -> "sims/")."""
    from kb.importer.tree import doc_key

    path = str(path).strip().lstrip("./").lstrip("/")
    name = path.rsplit("/", 1)[-1].lower()
    if name in ("index.md", "index.mdx", "_index.md", "readme.md"):
        return path[: -len(name)]
    return doc_key(path)


def key_of(url: str, keys: dict[str, str]) -> str:
    """A result's key: per-post permalinks (#post-N) count as their thread."""
    base = url.split("#", 1)[0]
    return keys.get(base, base)


def print_table(title: str, columns: dict[str, dict], kinds: list[str]) -> None:
    from search.evaluation import Metrics

    names = list(columns)
    print(f"\n{title}")
    head = f"  {'kind':<12}{'n':>4}  " + "  ".join(f"{n:^27}" for n in names)
    print(head)
    print(
        f"  {'':<12}{'':>4}  "
        + "  ".join(" ".join(f"{c:>6}" for c in ("MRR", "S@1", "S@10", "nDCG")) for _ in names)
    )
    for kind in kinds:
        n = columns[names[0]][kind].n
        row = "  ".join(
            " ".join(f"{v:6.3f}" for v in columns[name].get(kind, Metrics()).values())
            for name in names
        )
        print(f"  {kind:<12}{n:>4}  {row}")


def evaluate_set(
    real, engines, corpora: Path, split: str, show_misses: bool, keep: bool = False
) -> dict:
    from search.evaluation import (
        Bm25Baseline,
    )
    from search.registry import providers

    splits = ["tuning", "validation"] if split == "both" else [split]
    results: dict[str, dict] = {}
    with scratch_transaction(keep):
        keys = import_corpus(real, corpora)
        docs = [doc for p in providers() for doc in p.iter_documents()]
        print(f"  {len(docs)} documents in the index ({len(keys)} from the corpus)")
        baseline = Bm25Baseline(docs)
        dense_indexing_cost(docs)
        for label, engine in engines:
            started = time.perf_counter()
            engine.rebuild(docs)
            print(f"  {label}: indexed in {time.perf_counter() - started:.1f} s")
        for part in splits:
            results[part] = _evaluate_part(real, part, baseline, engines, keys, show_misses)
    return results


def dense_indexing_cost(docs) -> None:
    """The hybrid ranking's indexing cost: the vectors of documents whose text changed since
    the last run (the rest are kept by digest), timed apart from the engines' own indexing."""
    from search import dense

    if not dense.enabled():
        return
    started = time.perf_counter()
    encoded = dense.add_documents(docs)
    took = time.perf_counter() - started
    each = f" ({took / encoded * 1000:.0f} ms each)" if encoded else ""
    print(f"  dense vectors: {encoded} of {len(docs)} documents encoded in {took:.1f} s{each}")


def dense_query_cost(judgements) -> None:
    """What a query's vector costs (the search waits for it): each query encoded afresh."""
    from search import dense

    if not dense.enabled():
        return
    model = dense.encoder()
    model.encode(["warm up"])
    times = []
    for j in judgements:
        started = time.perf_counter()
        model.encode([j.query])
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(
        f"  dense query vector: p50 {times[len(times) // 2]:.1f} ms, p95 {p95:.1f} ms "
        f"({len(times)} queries)"
    )


def _evaluate_part(real, split, baseline, engines, keys, show_misses) -> dict:
    from search.evaluation import (
        by_kind,
        equal_match,
        score_ranking,
        search_hits,
        suggest_hits,
    )

    judgements = real.part(split)
    if not judgements:
        print(f"\n{real.name}: no `{split}` queries")
        return {}
    results: dict = {}
    scores = {
        "bm25": [
            score_ranking(j, [key_of(d.url, keys) for d in baseline.search(j.query)], equal_match)
            for j in judgements
        ]
    }
    agreement: dict[str, tuple[int, int]] = {}
    for label, engine in engines:
        started = time.perf_counter()
        engine_scores, agree, compared, disagreements = [], 0, 0, []
        for j in judgements:
            hits = search_hits(engine, j.query)
            engine_scores.append(score_ranking(j, [key_of(h.url, keys) for h in hits], equal_match))
            # The measure, exactly: the type-ahead's first article (of what it shows)
            # is the full search's first article (of its first page). Every query where either
            # shows an article is compared; an article only one of them shows is a disagreement.
            first = next((h.url for h in hits if h.kind != "thread"), None)
            suggested = next(
                (
                    s["url"]
                    for s in suggest_hits(engine, j.query, SUGGESTIONS)
                    if s["kind"] != "thread"
                ),
                None,
            )
            if first is not None or suggested is not None:
                compared += 1
                agree += suggested == first
                if suggested != first:
                    disagreements.append((j.query, first, suggested))
        scores[label] = engine_scores
        agreement[label] = (agree, compared)
        if show_misses:
            for query, first, suggested in disagreements:
                print(f"    {label:<10} suggest {query!r:50} search: {first}  suggest: {suggested}")
        print(f"  {label}: {len(judgements)} queries in {time.perf_counter() - started:.1f} s")
    dense_query_cost(judgements)
    kinds = sorted({j.kind for j in judgements}) + ["all"]
    columns = {label: by_kind(s) for label, s in scores.items()}
    corpus = real.corpus
    print_table(
        f"{real.name} ({split}, {len(judgements)} queries; {corpus.get('repository', '?')} @ "
        f"{str(corpus.get('commit', '?'))[:12]})",
        columns,
        kinds,
    )
    for label, (agree, compared) in agreement.items():
        print(
            f"  {label}: suggest's first article = search's first article for "
            f"{agree}/{compared} queries"
        )
    if show_misses:
        for label, engine_scores in scores.items():
            for s in engine_scores:
                if s.rank != 1:
                    print(
                        f"    {label:<10} rank {s.rank or '-':>2} [{s.kind}] {s.query!r:50} "
                        f"top: {', '.join(s.top[:2])}"
                    )
    results["columns"] = columns
    results["agreement"] = agreement
    return results


def use_dense(on: bool, model: str | None) -> None:
    from django.conf import settings

    from search import dense

    settings.SEARCH_DENSE = on
    if model:
        settings.SEARCH_DENSE_MODEL = model
    if on and not dense.enabled():
        raise SystemExit(f"--dense: no model at {settings.SEARCH_DENSE_MODEL!r}")
    print(f"hybrid ranking (dense vectors): {'on' if on else 'off'}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", required=True, help="folder holding the cloned corpora")
    parser.add_argument("--sets", nargs="*", help="query set files (default: all real sets)")
    parser.add_argument(
        "--split",
        default="tuning",
        choices=["tuning", "validation", "both", "all"],
        help="which part of each set to run (default: tuning; both: each on its own)",
    )
    parser.add_argument(
        "--engines",
        default="database,opensearch",
        help="comma-separated: database, opensearch (default both)",
    )
    parser.add_argument("--database-url", help="default: DATABASE_URL or a scratch SQLite file")
    parser.add_argument("--misses", action="store_true", help="list queries not ranked first")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the imported corpus in --database-url (one set only): reruns skip the import",
    )
    parser.add_argument(
        "--dense",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the hybrid ranking (SEARCH_DENSE, on by default): lexical candidates fused with "
        "dense vectors; --no-dense: lexical only",
    )
    parser.add_argument("--dense-model", help="SEARCH_DENSE_MODEL: a model folder or package")
    args = parser.parse_args(argv)
    if args.keep and (not args.database_url or len(args.sets or []) != 1):
        parser.error("--keep needs --database-url and exactly one --sets file")
    corpora = Path(args.corpora).expanduser()
    if not corpora.is_dir():
        parser.error(f"{corpora} is not a folder")
    wanted = {e.strip() for e in args.engines.split(",") if e.strip()}

    setup_django(args.database_url)
    use_dense(args.dense, args.dense_model)
    from search.evaluation import load_real_set

    paths = [Path(p) for p in args.sets] if args.sets else sorted(SETS.glob("*.yaml"))
    if not paths:
        raise SystemExit(f"no query sets in {SETS}")
    load_demo()
    with start_engines(wanted) as engines:
        for path in paths:
            real = load_real_set(path, normalize_doc_path)
            print(f"\n== {real.name}")
            evaluate_set(real, engines, corpora, args.split, args.misses, args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
