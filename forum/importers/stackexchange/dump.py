"""Reading one Stack Exchange site's dump: its XML files streamed and checked, and the records
an import needs (questions, answers by question, comments, votes, edits, tags, users).

Anything not importable raises CommunityImportError naming the file and row; what has no place
in the forum is reported as a warning, never dropped silently.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from forum.importers import CommunityImportError
from forum.importers.members import SourceMember
from forum.importers.report import CommunityImportReport

QUESTION, ANSWER = "1", "2"
# Post types that exist in dumps but have no place in a forum (documented by Stack Exchange).
NOT_FORUM_POSTS = {
    "3": "orphaned tag wiki",
    "4": "tag wiki excerpt",
    "5": "tag wiki",
    "6": "moderator nomination",
    "7": "wiki placeholder",
    "8": "privilege wiki",
}
UP_VOTE, DOWN_VOTE, ACCEPTED_VOTE = "2", "3", "1"
VOTE_TYPES = {
    "4": "offensive",
    "5": "favourite",
    "6": "close",
    "7": "reopen",
    "8": "bounty start",
    "9": "bounty close",
    "10": "deletion",
    "11": "undeletion",
    "12": "spam",
    "15": "moderator review",
    "16": "approve edit suggestion",
}
# Edits of body, title or tags (PostHistory.xml), grouped by revision.
EDIT_HISTORY_TYPES = {"4", "5", "6"}

REQUIRED_FILES = {"Posts.xml": "posts", "Users.xml": "users"}
OPTIONAL_FILES = {"Comments.xml": "comments", "Votes.xml": "votes", "Tags.xml": "tags"}


def read_rows(path: Path, root_tag: str) -> Iterator[dict[str, str]]:
    """The attributes of every <row> of one dump file, checked to be the expected file.

    Parsed with defusedxml (no entity expansion, no external entities: a dump is untrusted
    input) and streamed, so a large site's dump is not held as a tree.
    """
    try:
        events = SafeET.iterparse(str(path), events=("start", "end"))
        depth = 0
        for event, element in events:
            if event == "start":
                depth += 1
                if depth == 1 and element.tag != root_tag:
                    raise CommunityImportError(
                        f"{path.name}: expected a <{root_tag}> document, found <{element.tag}>."
                    )
                continue
            depth -= 1
            if depth == 1:
                if element.tag != "row":
                    raise CommunityImportError(
                        f"{path.name}: unexpected element <{element.tag}> (expected <row>)."
                    )
                yield dict(element.attrib)
                element.clear()
    except SafeET.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise CommunityImportError(
            f"{path.name} is not well-formed XML (line {line}, column {column}): {exc}"
        ) from exc
    except DefusedXmlException as exc:
        raise CommunityImportError(
            f"{path.name} uses XML features refused for safety ({exc.__class__.__name__})."
        ) from exc


def _required(row: dict[str, str], attribute: str, where: str) -> str:
    value = row.get(attribute)
    if value is None or value == "":
        raise CommunityImportError(f"{where}: the row has no {attribute} attribute.")
    return value


def parse_date(value: str, where: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommunityImportError(f"{where}: {value!r} is not a date.") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _int(value: str | None, where: str, default: int = 0) -> int:
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise CommunityImportError(f"{where}: {value!r} is not a number.") from exc


@dataclass
class SourcePost:
    id: str
    type: str
    created: datetime
    body: str
    score: int = 0
    parent_id: str = ""
    accepted_id: str = ""
    title: str = ""
    tags: list[str] = field(default_factory=list)
    owner_id: str = ""
    owner_name: str = ""
    last_editor_id: str = ""
    last_edit: datetime | None = None
    last_activity: datetime | None = None
    view_count: int = 0
    closed: datetime | None = None


@dataclass
class SourceComment:
    id: str
    post_id: str
    created: datetime
    text: str
    score: int = 0
    user_id: str = ""
    user_name: str = ""


@dataclass
class Dump:
    """One site's dump, read and checked."""

    folder: Path
    domain: str
    users: list[SourceMember]
    questions: list[SourcePost]
    answers: dict[str, list[SourcePost]]  # question id -> answers
    comments: dict[str, list[SourceComment]]  # post id -> comments
    up_votes: Counter
    down_votes: Counter
    edits: Counter  # post id -> number of edit revisions
    tag_names: list[str]

    @property
    def site_url(self) -> str:
        return f"https://{self.domain}"

    @property
    def label(self) -> str:
        return self.domain.split(".")[0]


def _post(row: dict[str, str], where: str) -> SourcePost:
    tags = re.findall(r"<([^<>]+)>", row.get("Tags", ""))
    if not tags and row.get("Tags") and "|" in row["Tags"]:  # newer dumps: |a|b|
        tags = [t for t in row["Tags"].split("|") if t]
    return SourcePost(
        id=row["Id"],
        type=row["PostTypeId"],
        created=parse_date(_required(row, "CreationDate", where), where),
        body=row.get("Body", ""),
        score=_int(row.get("Score"), where),
        parent_id=row.get("ParentId", ""),
        accepted_id=row.get("AcceptedAnswerId", ""),
        title=row.get("Title", ""),
        tags=tags,
        owner_id=row.get("OwnerUserId", ""),
        owner_name=row.get("OwnerDisplayName", ""),
        last_editor_id=row.get("LastEditorUserId", ""),
        last_edit=parse_date(row["LastEditDate"], where) if row.get("LastEditDate") else None,
        last_activity=(
            parse_date(row["LastActivityDate"], where) if row.get("LastActivityDate") else None
        ),
        view_count=_int(row.get("ViewCount"), where),
        closed=parse_date(row["ClosedDate"], where) if row.get("ClosedDate") else None,
    )


def read_dump(folder: str | Path, report: CommunityImportReport, domain: str = "") -> Dump:
    """Read and check a dump folder; raises CommunityImportError for anything not importable."""
    folder = Path(folder)
    domain = _check_folder(folder, report, domain)
    # In this order: the files' errors and warnings are reported as the files are read.
    users = _read_users(folder, domain)
    posts, not_imported = _read_posts(folder, report)
    questions, answers = _answers_by_question(posts, not_imported, report)
    comments = _read_comments(folder, posts, not_imported, report)
    up_votes, down_votes = _read_votes(folder, posts, not_imported, report)
    return Dump(
        folder=folder,
        domain=domain,
        users=users,
        questions=questions,
        answers=answers,
        comments=comments,
        up_votes=up_votes,
        down_votes=down_votes,
        edits=_read_edits(folder, posts),
        tag_names=_read_tag_names(folder, questions),
    )


def _check_folder(folder: Path, report: CommunityImportReport, domain: str) -> str:
    """The site's domain, once the folder holds the files an import needs."""
    if not folder.is_dir():
        raise CommunityImportError(f"{folder} is not a folder (expected a dump's XML files).")
    for name in REQUIRED_FILES:
        if not (folder / name).is_file():
            raise CommunityImportError(f"{folder} has no {name}: is this a Stack Exchange dump?")
    for name in OPTIONAL_FILES:
        if not (folder / name).is_file():
            report.warn("missing-file", f"{name} is missing: nothing of it is imported")
    domain = domain or folder.resolve().name
    if "." not in domain:
        raise CommunityImportError(
            f"Cannot tell the site from the folder name {folder.name!r}: "
            "give it with --site (e.g. --site iot.stackexchange.com)."
        )
    return domain


def _read_users(folder: Path, domain: str) -> list[SourceMember]:
    users = []
    for row in read_rows(folder / "Users.xml", "users"):
        where = f"Users.xml row Id={row.get('Id', '?')}"
        uid = _required(row, "Id", where)
        users.append(
            SourceMember(
                source_id=uid,
                name=row.get("DisplayName", ""),
                joined=parse_date(_required(row, "CreationDate", where), where),
                profile_url=f"https://{domain}/users/{uid}",
                email=row.get("EmailAddress", ""),  # not in public dumps; kept when present
            )
        )
    return users


def _read_posts(folder: Path, report) -> tuple[dict[str, SourcePost], dict[str, str]]:
    """Questions and answers by id, and the ids of posts not imported (with why)."""
    posts: dict[str, SourcePost] = {}
    not_imported: dict[str, str] = {}  # post id -> why
    for row in read_rows(folder / "Posts.xml", "posts"):
        where = f"Posts.xml row Id={row.get('Id', '?')}"
        _required(row, "Id", where)
        kind = _required(row, "PostTypeId", where)
        if kind in NOT_FORUM_POSTS:
            not_imported[row["Id"]] = f"a {NOT_FORUM_POSTS[kind]}"
            report.warn(
                "post-type-not-imported",
                f"post {row['Id']}: {NOT_FORUM_POSTS[kind]} (no place in the forum)",
            )
            continue
        if kind not in (QUESTION, ANSWER):
            raise CommunityImportError(
                f"{where}: unknown PostTypeId {kind!r}; nothing was imported. "
                "Known: 1 question, 2 answer, "
                + ", ".join(f"{k} {v}" for k, v in NOT_FORUM_POSTS.items())
            )
        post = _post(row, where)
        if kind == QUESTION and not post.title.strip():
            raise CommunityImportError(f"{where}: a question without a Title.")
        posts[post.id] = post
    return posts, not_imported


def _answers_by_question(posts: dict, not_imported: dict, report) -> tuple[list, dict]:
    questions = sorted((p for p in posts.values() if p.type == QUESTION), key=lambda p: int(p.id))
    answers: dict[str, list[SourcePost]] = defaultdict(list)
    for post in posts.values():
        if post.type != ANSWER:
            continue
        parent = posts.get(post.parent_id)
        if parent is None or parent.type != QUESTION:
            not_imported[post.id] = "an answer without its question"
            report.warn(
                "answer-without-question",
                f"answer {post.id}: its question {post.parent_id or '?'} is not in the dump "
                "(not imported)",
            )
            continue
        answers[post.parent_id].append(post)
    return questions, answers


def _read_comments(folder: Path, posts: dict, not_imported: dict, report) -> dict:
    comments: dict[str, list[SourceComment]] = defaultdict(list)
    if (folder / "Comments.xml").is_file():
        for row in read_rows(folder / "Comments.xml", "comments"):
            where = f"Comments.xml row Id={row.get('Id', '?')}"
            comment = SourceComment(
                id=_required(row, "Id", where),
                post_id=_required(row, "PostId", where),
                created=parse_date(_required(row, "CreationDate", where), where),
                text=row.get("Text", ""),
                score=_int(row.get("Score"), where),
                user_id=row.get("UserId", ""),
                user_name=row.get("UserDisplayName", ""),
            )
            if comment.post_id not in posts or comment.post_id in not_imported:
                why = not_imported.get(comment.post_id, "not in the dump (deleted on the site?)")
                report.warn(
                    "comment-on-post-not-imported",
                    f"comment {comment.id}: post {comment.post_id} is {why}",
                )
                continue
            comments[comment.post_id].append(comment)
    return comments


def _read_votes(folder: Path, posts: dict, not_imported: dict, report) -> tuple[Counter, Counter]:
    up_votes, down_votes = Counter(), Counter()
    if (folder / "Votes.xml").is_file():
        other = Counter()
        for row in read_rows(folder / "Votes.xml", "votes"):
            where = f"Votes.xml row Id={row.get('Id', '?')}"
            post_id = _required(row, "PostId", where)
            kind = _required(row, "VoteTypeId", where)
            if kind not in (UP_VOTE, DOWN_VOTE):
                if kind != ACCEPTED_VOTE:  # the accepted answer comes from AcceptedAnswerId
                    other[VOTE_TYPES.get(kind, f"type {kind}")] += 1
                continue
            if post_id not in posts or post_id in not_imported:
                why = not_imported.get(post_id, "not in the dump (deleted on the site?)")
                report.warn(
                    "vote-on-post-not-imported", f"vote {row.get('Id')}: post {post_id} is {why}"
                )
                continue
            (up_votes if kind == UP_VOTE else down_votes)[post_id] += 1
        for name, count in sorted(other.items()):
            report.warn("vote-type-not-imported", f"{count} {name} vote(s)", count)
        if down_votes:
            report.warn(
                "down-votes-not-imported",
                f"{sum(down_votes.values())} down-vote(s) on {len(down_votes)} post(s): the "
                "forum has helpful votes only (scores still order the answers)",
                sum(down_votes.values()),
            )
    return up_votes, down_votes


def _read_edits(folder: Path, posts: dict) -> Counter:
    edits = Counter()
    if (folder / "PostHistory.xml").is_file():
        revisions = set()
        for row in read_rows(folder / "PostHistory.xml", "posthistory"):
            post_id = row.get("PostId")
            if row.get("PostHistoryTypeId") in EDIT_HISTORY_TYPES and post_id in posts:
                revisions.add((post_id, row.get("RevisionGUID") or row.get("Id")))
        edits = Counter(post_id for post_id, _ in revisions)
    return edits


def _read_tag_names(folder: Path, questions: list) -> list[str]:
    tag_names = []
    if (folder / "Tags.xml").is_file():
        for row in read_rows(folder / "Tags.xml", "tags"):
            tag_names.append(_required(row, "TagName", f"Tags.xml row Id={row.get('Id', '?')}"))
    known = set(tag_names)
    for question in questions:
        for name in question.tags:
            if name not in known:
                known.add(name)
                tag_names.append(name)
    return tag_names
