"""Forum events the forum's notifications and trust levels listen to.

forum.services sends these *after* the writing transaction commits (transaction.on_commit), so
receivers see committed rows and a failing receiver never rolls back the write. Every signal is
sent with keyword arguments only; `sender` is the model class concerned.

- thread_created(sender=Thread, thread, post, author)      a new thread (first post may be held)
- post_created(sender=Post, post, thread, author)          any new post, incl. the first one
                                                           (post.moderation_state says if held)
- mentions_found(sender=Post, post, users)                 @mentions in a new or edited post
                                                           (only users newly mentioned)
- thread_solved(sender=Thread, thread, post, by)           an answer was accepted
- official_answer_marked(sender=Post, post, thread, by)
"""

from django.dispatch import Signal

thread_created = Signal()
post_created = Signal()
mentions_found = Signal()
thread_solved = Signal()
official_answer_marked = Signal()
