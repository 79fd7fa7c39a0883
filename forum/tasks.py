"""Background work of the forum (run by the django-tasks worker)."""

from django_tasks import task


@task()
def rerender_mentions_of(handle: str) -> int:
    """Re-render the posts that mention @handle (see forum.mentions)."""
    from forum.post_text import rerender_posts_mentioning

    return rerender_posts_mentioning(handle)


@task()
def announce_reply(post_id: int, mentioned_ids: list[int]) -> None:
    """A new reply's fan-out, outside the request: its search index rows, then its events
    (notifications, e-mail, trust).

    Queued by forum.services.create_reply in the reply's own transaction (with the database
    queue the task row commits with the reply or not at all), so the reply request pays for
    one INSERT instead of the whole fan-out, and no separate drain task is queued for its
    index rows (search.indexing.drained_by_queued_task).
    """
    from django.contrib.auth import get_user_model

    from forum import signals
    from forum.models import Post
    from search.indexing import drain

    try:
        # Every waiting outbox row, the reply's among them; a refusing engine keeps the rows
        # and schedules the retry (search.indexing.drain), and the events go out regardless.
        drain()
    finally:
        post = Post.objects.select_related("thread__category", "author").filter(pk=post_id).first()
        if post is not None:
            thread, author = post.thread, post.author
            signals.post_created.send(sender=Post, post=post, thread=thread, author=author)
            if mentioned_ids:
                users = list(get_user_model().objects.filter(pk__in=mentioned_ids).order_by("pk"))
                signals.mentions_found.send(sender=Post, post=post, users=users)
