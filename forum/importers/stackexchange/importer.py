"""Writing one dump into the forum: members, tags, threads, replies and their import records,
creating what is new and updating only what differs from the last run (see the package docstring).
"""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from forum.importers.members import CHUNK, fingerprint, import_members
from forum.importers.report import CommunityImportReport
from forum.importers.stackexchange.dump import Dump, SourcePost
from forum.importers.stackexchange.plans import FORMAT_VERSION, PostPlan, PostPlanner
from forum.markdown import POLICY_VERSION, render_markdown
from forum.member_services import refresh_member_stats
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
from forum.post_text import TAG_RE, tags_named
from forum.services import refresh_thread_stats


class StackExchangeImport:
    """One run over one dump (see the package docstring); use import_stackexchange()."""

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
        self.thread_type = ContentType.objects.get_for_model(Thread)
        self.post_type = ContentType.objects.get_for_model(Post)
        self.records: dict[tuple[str, str], ImportedRecord] = {
            (r.kind, r.source_id): r for r in ImportedRecord.objects.filter(source=self.source)
        }
        self.planner: PostPlanner | None = None  # once the members are imported
        self.tags: dict[str, Tag] = {}
        self.touched_authors: set[int] = set()
        self.now = timezone.now()

    def run(self) -> None:
        dump = self.dump
        user_ids = import_members(
            source=self.source,
            label=dump.label,
            placeholder_domain=f"{dump.domain}.imported",
            members=dump.users,
            anonymous=self.anonymous_names,
            report=self.report,
        )
        self.planner = PostPlanner(dump, self.report, user_ids)
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
        plans = [self.planner.plan(question)] + [self.planner.plan(a) for a in answers]
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
