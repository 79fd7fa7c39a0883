"""Background work of the forum (run by the django-tasks worker)."""

from django_tasks import task


@task()
def rerender_mentions_of(handle: str) -> int:
    """Re-render the posts that mention @handle (see forum.mentions)."""
    from forum.services import rerender_posts_mentioning

    return rerender_posts_mentioning(handle)
