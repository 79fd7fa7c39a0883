"""Import a Stack Exchange data dump (one site's folder of XML files) into the forum.

What becomes what:
- a question (PostTypeId 1) -> a thread in the site's category, its body post number 1;
- its answers (PostTypeId 2) -> replies numbered in score order (highest first, then oldest);
  the accepted answer is the thread's accepted answer and the thread is solved;
- tags -> forum tags; comments -> a "Comments" list under the post they belong to, each with
  its author and a link to it;
- up-votes -> the post's helpful votes (the forum has no down-votes: they are counted in the
  report, and the score still orders the answers); views -> the thread's view count;
- users -> imported members (forum.importers.members); dates of creation and last edit kept.
- tag wikis (PostTypeId 4 and 5) and other site-internal post types have no place in the forum:
  they are counted as warnings, never dropped silently. An unknown PostTypeId stops the import.

Bodies are converted from HTML to Markdown and stored like every post: the Markdown source and
the HTML that forum.markdown renders from it (the one sanitiser policy), so `forum_rerender` and
edits treat them like any other post. Each post ends with the attribution CC BY-SA asks for: a
link to the original post and to its author, and the licence of that revision.

Re-running with the same dump changes nothing: every record is remembered (ImportedRecord) with
a fingerprint of what was made from it; only records whose result would differ are written
(post numbers, and so permalinks, stay as they are; new answers are appended).
"""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from forum.importers import CommunityImportError
from forum.importers.html_markdown import html_to_markdown
from forum.importers.members import CHUNK, SourceMember, fingerprint, import_members
from forum.importers.report import CommunityImportReport
from forum.markdown import POLICY_VERSION, render_markdown
from forum.models import (
    Category,
    ImportedKind,
    ImportedRecord,
    Post,
    PostState,
    Tag,
    Thread,
    ThreadStatus,
)
from forum.services import TAG_RE, refresh_member_stats, refresh_thread_stats, tags_named

# Bump when what is made from a record changes, so a re-run brings earlier imports up to date.
FORMAT_VERSION = 1

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

# When Stack Exchange changed the licence of new contributions
# (https://stackoverflow.com/help/licensing).
LICENCES = [
    (
        datetime(2011, 4, 8, tzinfo=UTC),
        "CC BY-SA 2.5",
        "https://creativecommons.org/licenses/by-sa/2.5/",
    ),
    (
        datetime(2018, 5, 2, tzinfo=UTC),
        "CC BY-SA 3.0",
        "https://creativecommons.org/licenses/by-sa/3.0/",
    ),
    (None, "CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
]


def licence_for(when: datetime) -> tuple[str, str]:
    """(name, url) of the licence a contribution last revised at `when` is under."""
    for until, name, url in LICENCES:
        if until is None or when < until:
            return name, url
    raise AssertionError("unreachable")


# --- reading the dump ---------------------------------------------------------------------------


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


# --- building the forum's records -----------------------------------------------------------------


@dataclass
class PostPlan:
    """What one imported post should look like (compared by fingerprint with what is here)."""

    source: SourcePost
    kind: str  # ImportedKind
    url: str
    body_markdown: str
    author_id: int | None
    edited_by_id: int | None
    helpful_count: int
    edit_count: int
    comments: list[SourceComment]

    @property
    def fields(self) -> dict:
        return {
            "author_id": self.author_id,
            "body_markdown": self.body_markdown,
            "created_at": self.source.created,
            "edited_at": self.source.last_edit,
            "edited_by_id": self.edited_by_id,
            "edit_count": self.edit_count,
            "helpful_count": self.helpful_count,
        }

    @property
    def fingerprint(self) -> str:
        # By the source's user ids, not ours: a claimed member's posts change author here
        # without the source changing.
        source_fields = self.fields | {
            "author_id": self.source.owner_id,
            "edited_by_id": self.source.last_editor_id,
        }
        return fingerprint([FORMAT_VERSION, source_fields])


class _Importer:
    """One run over one dump (see module docstring); use import_stackexchange()."""

    def __init__(
        self,
        dump: Dump,
        category: Category,
        report: CommunityImportReport,
        *,
        anonymous_names: bool = False,
        progress: bool = False,
    ):
        self.dump = dump
        self.anonymous_names = anonymous_names
        self.progress = progress
        self.category = category
        self.report = report
        self.source = f"stackexchange:{dump.domain}"
        self.site = dump.site_url
        self.names = {m.source_id: m.name for m in dump.users}
        self.thread_type = ContentType.objects.get_for_model(Thread)
        self.post_type = ContentType.objects.get_for_model(Post)
        self.records: dict[tuple[str, str], ImportedRecord] = {
            (r.kind, r.source_id): r for r in ImportedRecord.objects.filter(source=self.source)
        }
        self.user_ids: dict[str, int] = {}
        self.tags: dict[str, Tag] = {}
        self.touched_authors: set[int] = set()
        self.now = timezone.now()

    # attribution and comments, in Markdown

    def _user_link(self, user_id: str, fallback_name: str) -> str:
        name = self.names.get(user_id) or fallback_name or "an anonymous user"
        name = _escape(name)
        if user_id and user_id in self.names:
            return f"[{name}]({self.site}/users/{user_id})"
        return name

    def _comments_markdown(self, comments: list[SourceComment]) -> str:
        lines = ["**Comments**", ""]
        for c in comments:
            text = re.sub(r"\s+", " ", c.text).strip()
            score = f" (+{c.score})" if c.score > 0 else ""
            lines.append(
                f"- {text} – {self._user_link(c.user_id, c.user_name)}, "
                f"[{c.created:%Y-%m-%d}]({self.site}/posts/comments/{c.id}){score}"
            )
        return "\n".join(lines)

    def _attribution(self, post: SourcePost, url: str) -> str:
        what = "Question" if post.type == QUESTION else "Answer"
        licence, licence_url = licence_for(post.last_edit or post.created)
        return (
            f"*{what} [originally posted on {self.dump.domain}]({url}) by "
            f"{self._user_link(post.owner_id, post.owner_name)}, licensed under "
            f"[{licence}]({licence_url}).*"
        )

    def plan(self, post: SourcePost) -> PostPlan:
        kind = ImportedKind.QUESTION if post.type == QUESTION else ImportedKind.ANSWER
        url = f"{self.site}/{'q' if post.type == QUESTION else 'a'}/{post.id}"
        comments = sorted(self.dump.comments.get(post.id, []), key=lambda c: (c.created, c.id))
        parts = [html_to_markdown(post.body, self.site) or "*(empty post)*"]
        if comments:
            parts.append(self._comments_markdown(comments))
        parts.append(self._attribution(post, url))
        if post.owner_id and post.owner_id not in self.user_ids:
            self.report.warn(
                "author-not-in-users",
                f"post {post.id}: user {post.owner_id} is not in Users.xml (shown by name)",
            )
        elif not post.owner_id:
            self.report.warn(
                "post-without-account",
                f"post {post.id}: by {post.owner_name or 'nobody'}, who has no account "
                "(shown by name, no member)",
            )
        edit_count = self.dump.edits.get(post.id, 0) or (1 if post.last_edit else 0)
        return PostPlan(
            source=post,
            kind=kind,
            url=url,
            body_markdown="\n\n---\n\n".join(parts),
            author_id=self.user_ids.get(post.owner_id),
            edited_by_id=self.user_ids.get(post.last_editor_id),
            helpful_count=self.dump.up_votes.get(post.id, 0),
            edit_count=edit_count,
            comments=comments,
        )

    # the run

    def run(self) -> None:
        dump = self.dump
        self.user_ids = import_members(
            source=self.source,
            label=dump.label,
            placeholder_domain=f"{dump.domain}.imported",
            members=dump.users,
            anonymous=self.anonymous_names,
            report=self.report,
        )
        self._prepare_tags()
        iterator = dump.questions
        if self.progress:
            from tqdm import tqdm

            iterator = tqdm(iterator, desc="threads", unit="thread")
        for question in iterator:
            self.import_thread(question)
        User = get_user_model()
        for user_id in sorted(self.touched_authors):
            refresh_member_stats(User(pk=user_id))

    def _prepare_tags(self) -> None:
        valid = []
        for name in self.dump.tag_names:
            if TAG_RE.match(name.lower()):
                valid.append(name.lower())
            else:
                self.report.warn("tag-not-imported", f"tag {name!r} is not a valid forum tag")
        existing = {t.name: t for t in Tag.objects.filter(name__in=valid)}
        missing = [n for n in valid if n not in existing]
        created = tags_named(missing)
        self.report.created["tags"] += len(created)
        self.report.unchanged["tags"] += len(existing)
        self.tags = {**existing, **{t.name: t for t in created}}

    def import_thread(self, question: SourcePost) -> None:
        answers = sorted(
            self.dump.answers.get(question.id, []),
            key=lambda a: (-a.score, a.created, int(a.id)),
        )
        plans = [self.plan(question)] + [self.plan(a) for a in answers]
        tag_pks = sorted(self.tags[t.lower()].pk for t in question.tags if t.lower() in self.tags)
        accepted = question.accepted_id
        if accepted and accepted not in {a.id for a in answers}:
            self.report.warn(
                "accepted-answer-missing",
                f"question {question.id}: accepted answer {accepted} is not in the dump",
            )
            accepted = ""
        if accepted:
            status = ThreadStatus.SOLVED
        elif question.closed:
            status = ThreadStatus.CLOSED
        else:
            status = ThreadStatus.OPEN
        thread_fields = {
            "title": re.sub(r"\s+", " ", question.title).strip()[:200],
            "view_count": question.view_count,
            "status": status,
            "accepted": accepted,
            "tags": tag_pks,
            "last_activity_at": question.last_activity or question.created,
        }
        question_print = fingerprint([FORMAT_VERSION, thread_fields, plans[0].fingerprint])

        record = self.records.get((ImportedKind.QUESTION, question.id))
        if record is None:
            self._create_thread(question, plans, thread_fields, question_print, tag_pks)
            return
        thread = Thread.objects.filter(pk=record.object_id).first()
        if thread is None:
            self.report.warn(
                "thread-deleted-here",
                f"question {question.id}: its thread was deleted here; not imported again",
            )
            return
        self._update_thread(thread, record, plans, thread_fields, question_print, tag_pks)

    def _create_thread(self, question, plans, thread_fields, question_print, tag_pks) -> None:
        thread = Thread(
            title=thread_fields["title"],
            slug=slugify(thread_fields["title"])[:200] or "thread",
            category=self.category,
            author_id=plans[0].author_id,
            status=thread_fields["status"],
            created_at=question.created,
            last_activity_at=thread_fields["last_activity_at"],
            view_count=question.view_count,
            last_post_number=len(plans),
        )
        Thread.objects.bulk_create([thread])
        posts = [self._new_post(thread, number, plan) for number, plan in enumerate(plans, 1)]
        Post.objects.bulk_create(posts, batch_size=CHUNK)
        Thread.tags.through.objects.bulk_create(
            [Thread.tags.through(thread_id=thread.pk, tag_id=pk) for pk in tag_pks]
        )
        records = [
            self._record(
                ImportedKind.QUESTION,
                question.id,
                self.thread_type,
                thread.pk,
                question_print,
                plans[0].url,
            )
        ]
        for plan, post in zip(plans, posts, strict=True):
            if plan.kind == ImportedKind.ANSWER:
                records.append(
                    self._record(
                        plan.kind,
                        plan.source.id,
                        self.post_type,
                        post.pk,
                        plan.fingerprint,
                        plan.url,
                    )
                )
            records.extend(self._comment_records(plan, post.pk))
        ImportedRecord.objects.bulk_create(records, batch_size=CHUNK)
        self._finish_thread(thread, plans, posts, thread_fields)
        self.report.created["threads"] += 1
        self.report.created["replies"] += len(plans) - 1
        self.report.created["comments"] += sum(len(p.comments) for p in plans)

    def _update_thread(self, thread, record, plans, thread_fields, question_print, tag_pks):
        question_post = Post.objects.filter(thread=thread, number=1).first()
        changed = record.fingerprint != question_print
        if changed:
            fingerprint = (record, question_print)
            self._update_question(thread, question_post, plans, thread_fields, tag_pks, fingerprint)
        replies, new_replies, replies_changed = self._update_replies(thread, plans)
        posts_by_number = [question_post, *replies]
        changed = changed or replies_changed
        new_comments = []
        for plan, post in zip(plans, posts_by_number, strict=True):
            if post is None:
                continue
            for comment_record in self._comment_records(plan, post.pk):
                if (ImportedKind.COMMENT, comment_record.source_id) not in self.records:
                    new_comments.append(comment_record)
        ImportedRecord.objects.bulk_create(new_comments, batch_size=CHUNK)
        self.report.created["replies"] += new_replies
        self.report.created["comments"] += len(new_comments)
        self.report.unchanged["comments"] += sum(len(p.comments) for p in plans) - len(new_comments)
        if changed or new_comments:
            self._finish_thread(thread, plans, posts_by_number, thread_fields)
            self.report.updated["threads"] += 1
        else:
            self.report.unchanged["threads"] += 1

    def _update_question(self, thread, question_post, plans, thread_fields, tag_pks, fingerprint):
        """The question changed on the site: its thread's title, counts, status and tags."""
        Thread.objects.filter(pk=thread.pk).update(
            title=thread_fields["title"],
            slug=slugify(thread_fields["title"])[:200] or "thread",
            view_count=thread_fields["view_count"],
            status=thread_fields["status"],
            author_id=plans[0].author_id,
        )
        through = thread.tags.through
        through.objects.filter(thread_id=thread.pk).exclude(tag_id__in=tag_pks).delete()
        have = set(through.objects.filter(thread_id=thread.pk).values_list("tag_id", flat=True))
        through.objects.bulk_create(
            [through(thread_id=thread.pk, tag_id=pk) for pk in tag_pks if pk not in have]
        )
        if question_post is not None:
            self._update_post(question_post, plans[0])
        record, question_print = fingerprint
        ImportedRecord.objects.filter(pk=record.pk).update(
            fingerprint=question_print, updated_at=self.now
        )

    def _update_replies(self, thread, plans) -> tuple[list, int, bool]:
        """(the replies in order, None where deleted here; how many are new; whether any
        reply was added or changed)."""
        posts_by_number: list[Post | None] = []
        new_replies, changed = 0, False
        for plan in plans[1:]:
            answer_record = self.records.get((ImportedKind.ANSWER, plan.source.id))
            post = (
                Post.objects.filter(pk=answer_record.object_id).first() if answer_record else None
            )
            if answer_record is not None and post is None:
                self.report.warn(
                    "post-deleted-here",
                    f"answer {plan.source.id}: its reply was deleted here; not imported again",
                )
                posts_by_number.append(None)
                continue
            if post is None:
                Thread.objects.filter(pk=thread.pk).update(
                    last_post_number=F("last_post_number") + 1
                )
                thread.refresh_from_db(fields=["last_post_number"])
                post = self._new_post(thread, thread.last_post_number, plan)
                post.save()
                ImportedRecord.objects.create(
                    **self._record_fields(
                        plan.kind,
                        plan.source.id,
                        self.post_type,
                        post.pk,
                        plan.fingerprint,
                        plan.url,
                    )
                )
                new_replies += 1
                changed = True
            elif answer_record.fingerprint != plan.fingerprint:
                self._update_post(post, plan)
                ImportedRecord.objects.filter(pk=answer_record.pk).update(
                    fingerprint=plan.fingerprint, updated_at=self.now
                )
                self.report.updated["replies"] += 1
                changed = True
            else:
                self.report.unchanged["replies"] += 1
            posts_by_number.append(post)
        return posts_by_number, new_replies, changed

    def _finish_thread(self, thread, plans, posts, thread_fields) -> None:
        """Accepted answer, counters, last activity (the site's, which counts comments and
        edits too) and the search index, once the thread's posts are in place."""
        accepted_pk = None
        for plan, post in zip(plans, posts, strict=True):
            if post is not None and plan.source.id == thread_fields["accepted"]:
                accepted_pk = post.pk
        thread.accepted_answer_id, thread.status = accepted_pk, thread_fields["status"]
        thread.save(update_fields=["accepted_answer", "status"])  # so search hears of it
        refresh_thread_stats(thread.pk)
        Thread.objects.filter(pk=thread.pk).update(
            last_activity_at=thread_fields["last_activity_at"]
        )
        self.touched_authors.update(p.author_id for p in plans if p.author_id)

    def _new_post(self, thread: Thread, number: int, plan: PostPlan) -> Post:
        return Post(
            thread=thread,
            number=number,
            body_html=self._render(plan),
            rendered_with_policy_version=POLICY_VERSION,
            moderation_state=PostState.APPROVED,
            **plan.fields,
        )

    def _update_post(self, post: Post, plan: PostPlan) -> None:
        Post.objects.filter(pk=post.pk).update(
            body_html=self._render(plan),
            rendered_with_policy_version=POLICY_VERSION,
            **plan.fields,
        )

    @staticmethod
    def _render(plan: PostPlan) -> str:
        # Mentions stay plain text: "@name" on the old site meant someone there.
        return render_markdown(plan.body_markdown, mentions=None)

    def _record_fields(self, kind, source_id, content_type, object_id, print_, url) -> dict:
        return {
            "source": self.source,
            "kind": kind,
            "source_id": source_id,
            "content_type": content_type,
            "object_id": object_id,
            "fingerprint": print_,
            "source_url": url,
            "imported_at": self.now,
            "updated_at": self.now,
        }

    def _record(self, *args) -> ImportedRecord:
        return ImportedRecord(**self._record_fields(*args))

    def _comment_records(self, plan: PostPlan, post_pk: int) -> list[ImportedRecord]:
        return [
            self._record(
                ImportedKind.COMMENT,
                c.id,
                self.post_type,
                post_pk,
                fingerprint([c]),
                f"{self.site}/posts/comments/{c.id}",
            )
            for c in plan.comments
        ]


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#])")


def _escape(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def find_or_create_category(name_or_slug: str, *, description: str = "") -> Category:
    """The category named (or slugged) `name_or_slug`, created at the end if there is none."""
    value = name_or_slug.strip()
    category = (
        Category.objects.filter(slug=value).first()
        or Category.objects.filter(name__iexact=value).first()
    )
    if category is None:
        last = Category.objects.order_by("-position").values_list("position", flat=True).first()
        base = slugify(value)[:70] or "imported"
        slug, n = base, 1
        while Category.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        category = Category.objects.create(
            name=value[:80],
            slug=slug,
            description=description[:500],
            position=(last or 0) + 1,
        )
    return category


def import_stackexchange(
    path: str | Path,
    *,
    category: str = "",
    site: str = "",
    anonymous_names: bool = False,
    dry_run: bool = False,
    progress: bool = False,
) -> CommunityImportReport:
    """Import one Stack Exchange site's dump folder; returns what was done.

    All or nothing: the import runs in one transaction (a clear CommunityImportError, or any
    failure, leaves the database as it was); with `dry_run` it is rolled back at the end, so the
    report says what a real run would do. Search indexing is scheduled for every thread created
    or changed and runs once the transaction commits.
    """
    started, cpu_started = time.monotonic(), time.process_time()
    report = CommunityImportReport(source=str(path), dry_run=dry_run)
    dump = read_dump(path, report, domain=site)
    report.source = f"{dump.domain} ({len(dump.questions)} questions)"
    with transaction.atomic():
        target = find_or_create_category(
            category or dump.domain,
            description=f"Questions and answers imported from {dump.site_url} (CC BY-SA).",
        )
        report.category = target.name
        _Importer(dump, target, report, anonymous_names=anonymous_names, progress=progress).run()
        _add_figures(report, dump, target)
        if dry_run:
            transaction.set_rollback(True)
    report.seconds = time.monotonic() - started
    report.cpu_seconds = time.process_time() - cpu_started
    return report


def _add_figures(report: CommunityImportReport, dump: Dump, category: Category) -> None:
    """Totals in the forum for this source, to compare with the dump (they must be equal)."""
    source = f"stackexchange:{dump.domain}"
    records = ImportedRecord.objects.filter(source=source)
    thread_ids = records.filter(kind=ImportedKind.QUESTION).values("object_id")
    posts = Post.objects.filter(thread_id__in=thread_ids)
    report.figures.update(
        {
            "threads in the forum from this source": len(thread_ids),
            "replies in the forum from this source": posts.filter(number__gt=1).count(),
            "helpful votes on them": sum(posts.values_list("helpful_count", flat=True)),
            "accepted answers marked": Thread.objects.filter(
                pk__in=thread_ids, accepted_answer__isnull=False
            ).count(),
            "comments kept": records.filter(kind=ImportedKind.COMMENT).count(),
            "members from this source": records.filter(kind=ImportedKind.MEMBER).count(),
            "up-votes in the dump": sum(dump.up_votes.values()),
        }
    )
