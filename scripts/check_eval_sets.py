"""Check the labelled real-content search sets in tests/search/real/ against the corpora.

Usage: python scripts/check_eval_sets.py CORPORA_DIR [SET.yaml ...]

CORPORA_DIR holds one folder per corpus, named by each set's `folder` key and checked
out at its pinned `commit`. For every set this verifies that the YAML loads with the
expected keys, that each query has a known kind, one to three expected documents and a
split, that every expected page exists under the docs root (doc trees) or is a question
(PostTypeId=1) of the dump (Stack Exchange), and that the validation third is exactly the
one drawn with the set's `split_seed`, so nobody can move a query between the tuning and
validation parts by hand, and that at most a quarter of the queries are (nearly) the title
of their primary document. Prints counts per kind and split; exits 1 on any problem.
"""

from __future__ import annotations

import random
import re
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import yaml

SETS_DIR = Path(__file__).resolve().parent.parent / "tests" / "search" / "real"
KINDS = ("keyword", "question", "typo", "identifier")
HEADER_KEYS = ("corpus", "folder", "repository", "commit", "docs_root", "document_id", "split_seed")
DUMP_FILE = "Posts.xml"
# Users rarely type a page's title; a set made of titles would flatter any ranking.
MAX_TITLE_LIKE = 0.25
TITLE_LIKE_OVERLAP = 0.8


def question_titles(posts_xml: Path) -> dict[int, str]:
    """Titles of the question posts in a Stack Exchange Posts.xml, by Id."""
    titles = {}
    for _event, row in ET.iterparse(posts_xml):  # noqa: S314 - a pinned public dump
        if row.tag == "row" and row.get("PostTypeId") == "1":
            titles[int(row.get("Id"))] = row.get("Title", "")
        row.clear()
    return titles


def page_title(page: Path) -> str:
    """Front-matter title, else the first H1, else the file name."""
    text = page.read_text(errors="replace")
    match = re.search(r'^title:\s*"?([^"\n]+)', text, re.M) or re.search(r"^#\s+(.+)$", text, re.M)
    return match.group(1) if match else page.stem.replace("-", " ")


def words(text: str) -> set[str]:
    return set(re.sub(r"[^a-z0-9+]+", " ", text.lower()).split())


def is_title_like(query: str, title: str) -> bool:
    """True when nearly every word of the query comes from the title."""
    query_words = words(query)
    if not query_words:
        return False
    return len(query_words & words(title)) / len(query_words) >= TITLE_LIKE_OVERLAP


def seeded_validation(queries: list[dict], seed: int) -> set[int]:
    """Indices of the validation third: per kind, a seeded sample of its queries in file order."""
    chosen = set()
    for kind in KINDS:
        indices = [i for i, q in enumerate(queries) if q.get("kind") == kind]
        rng = random.Random(f"{seed}:{kind}")  # noqa: S311 - a reproducible split
        chosen |= set(rng.sample(indices, round(len(indices) / 3)))
    return chosen


def check_set(path: Path, corpora: Path) -> list[str]:
    data = yaml.safe_load(path.read_text())
    problems = [f"missing header key {key}" for key in HEADER_KEYS if key not in data]
    if problems:
        return problems
    root = corpora / data["folder"] / data["docs_root"]
    if not root.is_dir():
        return [f"docs root {root} not found (clone {data['repository']} @ {data['commit']})"]
    dump = root / DUMP_FILE
    titles = question_titles(dump) if dump.is_file() else None

    queries = data["queries"]
    validation = seeded_validation(queries, data["split_seed"])
    seen = set()
    title_like = 0
    for i, q in enumerate(queries):
        label = f"query {i} {q.get('query')!r}"
        if q.get("kind") not in KINDS:
            problems.append(f"{label}: unknown kind {q.get('kind')!r}")
        if not str(q.get("query", "")).strip():
            problems.append(f"{label}: empty query")
        if q.get("query") in seen:
            problems.append(f"{label}: duplicate query")
        seen.add(q.get("query"))
        expected = q.get("expected") or []
        if not 1 <= len(expected) <= 3:
            problems.append(f"{label}: needs 1-3 expected documents, has {len(expected)}")
        if len(set(map(str, expected))) != len(expected):
            problems.append(f"{label}: an expected document is listed twice")
        for rank, doc in enumerate(expected):
            if titles is not None:
                if not isinstance(doc, int) or doc not in titles:
                    problems.append(f"{label}: {doc!r} is not a question Id in {DUMP_FILE}")
                    continue
                title = titles[doc]
            elif not (root / doc).is_file():
                problems.append(f"{label}: {doc} does not exist under {data['docs_root']}")
                continue
            elif (root / doc).read_text(errors="replace").lstrip().startswith("redirect:"):
                problems.append(f"{label}: {doc} is a redirect stub, not a page")
                continue
            else:
                title = page_title(root / doc)
            if rank == 0:
                title_like += is_title_like(str(q.get("query", "")), title)
        want = "validation" if i in validation else "tuning"
        if q.get("split") != want:
            seed = data["split_seed"]
            problems.append(f"{label}: split is {q.get('split')!r}, seed {seed} gives {want}")
    if title_like > MAX_TITLE_LIKE * len(queries):
        problems.append(
            f"{title_like} of {len(queries)} queries are their page's title (at most a quarter)"
        )
    return problems


def summary(path: Path) -> str:
    queries = yaml.safe_load(path.read_text())["queries"]
    counts = Counter((q["kind"], q["split"]) for q in queries)
    parts = [f"{kind} {counts[kind, 'tuning']}+{counts[kind, 'validation']}" for kind in KINDS]
    total_val = sum(counts[kind, "validation"] for kind in KINDS)
    head = f"{path.name}: {len(queries)} queries ({total_val} validation)"
    return f"{head}; tuning+validation: " + ", ".join(parts)


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    corpora = Path(argv[1])
    paths = [Path(p) for p in argv[2:]] or sorted(SETS_DIR.glob("*.yaml"))
    failed = False
    for path in paths:
        problems = check_set(path, corpora)
        for problem in problems:
            print(f"{path.name}: {problem}")
        failed |= bool(problems)
        if not problems:
            print(summary(path))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
