"""Forum events other parts of the forum (notifications, moderation, search) listen to.

forum.services sends these *after* the writing transaction commits (transaction.on_commit), so
receivers see committed rows and a failing receiver never rolls back the write. Every signal is
sent with keyword arguments only; `sender` is the model class concerned.

- thread_created(sender=Thread, thread, post, author)      a new thread (first post may be held)
- post_created(sender=Post, post, thread, author)          any new post, incl. the first one
                                                           (post.moderation_state says if held)
- post_edited(sender=Post, post, editor, revision)
- post_deleted(sender=Post, post, by, reason)              soft delete
- mentions_found(sender=Post, post, users)                 @mentions in a new or edited post
                                                           (only users newly mentioned)
- post_quoted(sender=Post, post, quoted_post)              a reply quoting another post
- thread_solved(sender=Thread, thread, post, by)           an answer was accepted
- official_answer_marked(sender=Post, post, thread, by)
- post_voted(sender=Post, post, user)                      a "helpful" vote
"""

from django.dispatch import Signal

thread_created = Signal()
post_created = Signal()
post_edited = Signal()
post_deleted = Signal()
mentions_found = Signal()
post_quoted = Signal()
thread_solved = Signal()
official_answer_marked = Signal()
post_voted = Signal()
