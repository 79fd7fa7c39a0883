"""Background work of the forum (run by the django-tasks worker)."""

from django_tasks import task


@task()
def rerender_mentions_of(handle: str) -> int:
    """Re-render the posts that mention @handle (see forum.mentions)."""
    from forum.post_text import rerender_posts_mentioning

    return rerender_posts_mentioning(handle)


@task()
def announce_reply(post_id: int, mentioned_ids: list[int]) -> None:
    """Send a new reply's events (notifications, e-mail, trust) outside the request.

    Queued by forum.services.create_reply in the reply's own transaction (with the database
    queue the task row commits with the reply or not at all), so the reply request pays for
    one INSERT instead of the whole fan-out.
    """
    from django.contrib.auth import get_user_model

    from forum import signals
    from forum.models import Post

    post = Post.objects.select_related("thread__category", "author").filter(pk=post_id).first()
    if post is None:
        return
    thread, author = post.thread, post.author
    signals.post_created.send(sender=Post, post=post, thread=thread, author=author)
    if mentioned_ids:
        users = list(get_user_model().objects.filter(pk__in=mentioned_ids).order_by("pk"))
        signals.mentions_found.send(sender=Post, post=post, users=users)
