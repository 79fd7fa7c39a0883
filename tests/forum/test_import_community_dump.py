"""The Stack Exchange importer on a real dump, checked against counts taken independently from
the XML (plain ElementTree here, not the importer's reader).

Runs only when COMMUNITY_IMPORT_DUMP names a dump folder (e.g. the IoT Stack Exchange dump,
`.../iot.stackexchange.com`); skipped otherwise:

    COMMUNITY_IMPORT_DUMP=/path/to/iot.stackexchange.com \
        .venv/bin/pytest tests/forum/test_import_community_dump.py -s -p no:cacheprovider
"""

from __future__ import annotations

import os
import sys
import xml.etree.ElementTree as ET  # noqa: S405 - a trusted local file, read by the test only
from collections import Counter
from pathlib import Path

from django.contrib.auth.models import AnonymousUser

import pytest

from forum.importers.stackexchange import import_stackexchange
from forum.models import ImportedKind, ImportedRecord, Member, Post, Tag, Thread
from resourcecenter.models import User
from search.models import IndexOutbox
from search.services import search

DUMP = os.environ.get("COMMUNITY_IMPORT_DUMP", "")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not DUMP, reason="set COMMUNITY_IMPORT_DUMP to a Stack Exchange dump folder"
    ),
]


def _rows(name: str) -> list[dict]:
    return [row.attrib for row in ET.parse(Path(DUMP) / name).getroot()]  # noqa: S314


def _expected() -> dict:
    posts = _rows("Posts.xml")
    questions = {p["Id"]: p for p in posts if p["PostTypeId"] == "1"}
    answers = {p["Id"]: p for p in posts if p["PostTypeId"] == "2" and p["ParentId"] in questions}
    imported = questions.keys() | answers.keys()
    votes = _rows("Votes.xml")
    up = Counter(v["PostId"] for v in votes if v["VoteTypeId"] == "2" and v["PostId"] in imported)
    return {
        "questions": questions,
        "answers": answers,
        "users": len(_rows("Users.xml")),
        "comments": sum(1 for c in _rows("Comments.xml") if c["PostId"] in imported),
        "up_votes": up,
        "accepted": {
            q["Id"]: q["AcceptedAnswerId"] for q in questions.values() if "AcceptedAnswerId" in q
        },
    }


def _post_for(kind: str, source_id: str) -> Post:
    record = ImportedRecord.objects.get(kind=kind, source_id=source_id)
    if kind == ImportedKind.QUESTION:
        return Post.objects.get(thread_id=record.object_id, number=1)
    return Post.objects.get(pk=record.object_id)


def _snapshot():
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Thread, Post, User, Member, Tag, ImportedRecord, IndexOutbox)
    }


def test_the_real_dump_matches_its_xml_and_a_rerun_changes_nothing(
    django_capture_on_commit_callbacks,
):
    expected = _expected()
    with django_capture_on_commit_callbacks(execute=True):
        report = import_stackexchange(DUMP)
    # the figures for the record (shown with pytest -s)
    sys.stdout.write("\n" + "\n".join(report.summary_lines() + report.warning_lines()) + "\n")

    source_threads = ImportedRecord.objects.filter(kind=ImportedKind.QUESTION)
    threads = Thread.objects.filter(pk__in=source_threads.values("object_id"))
    posts = Post.objects.filter(thread__in=threads)
    assert threads.count() == len(expected["questions"])
    assert posts.filter(number__gt=1).count() == len(expected["answers"])
    assert (
        User.objects.filter(
            pk__in=ImportedRecord.objects.filter(kind=ImportedKind.MEMBER).values("object_id")
        ).count()
        == expected["users"]
    )
    assert ImportedRecord.objects.filter(kind=ImportedKind.COMMENT).count() == expected["comments"]
    assert sum(posts.values_list("helpful_count", flat=True)) == sum(expected["up_votes"].values())
    # every post's helpful votes are its own up-votes
    for kind, ids in (
        (ImportedKind.QUESTION, expected["questions"]),
        (ImportedKind.ANSWER, expected["answers"]),
    ):
        for source_id in ids:
            assert _post_for(kind, source_id).helpful_count == expected["up_votes"][source_id], (
                source_id
            )
    # accepted answers marked, on the right post
    assert threads.filter(accepted_answer__isnull=False).count() == len(expected["accepted"])
    for question_id, answer_id in expected["accepted"].items():
        thread = Thread.objects.get(
            pk=ImportedRecord.objects.get(kind="question", source_id=question_id).object_id
        )
        assert thread.accepted_answer_id == _post_for(ImportedKind.ANSWER, answer_id).pk
    # replies in score order
    scores = {a["Id"]: int(a["Score"]) for a in expected["answers"].values()}
    answer_of = dict(
        ImportedRecord.objects.filter(kind=ImportedKind.ANSWER).values_list(
            "object_id", "source_id"
        )
    )
    for thread in threads:
        ordered = [
            scores[answer_of[pk]]
            for pk in thread.posts.filter(number__gt=1)
            .order_by("number")
            .values_list("pk", flat=True)
        ]
        assert ordered == sorted(ordered, reverse=True), thread.pk

    # found by search like any thread
    question = next(iter(expected["questions"].values()))
    hits = search(AnonymousUser(), question["Title"], log=False).result.hits
    first = ImportedRecord.objects.get(kind="question", source_id=question["Id"]).object_id
    assert f"thread:{first}" in [hit.doc_id for hit in hits]

    before = _snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        again = import_stackexchange(DUMP)
    assert not again.changed_anything
    assert _snapshot() == before
    sys.stdout.write(f"re-run: {again.summary_lines()}\n")
