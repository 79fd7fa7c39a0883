"""The Community's URLs, mounted at /community/."""

from django.urls import path

from forum import feeds, views, views_moderation, views_notifications, views_posting

app_name = "forum"

urlpatterns = [
    path("", views.index, name="index"),
    path("threads/", views.thread_list, name="threads"),
    path("ask/", views_posting.ask, name="ask"),
    path("preview/", views.preview, name="preview"),
    path("similar/", views.similar, name="similar"),
    path("triage/", views.triage, name="triage"),
    path("c/<slug:slug>/", views.category, name="category"),
    path("c/<slug:slug>/feed.rss", feeds.CategoryFeed(), name="category_rss"),
    path("c/<slug:slug>/feed.atom", feeds.CategoryAtomFeed(), name="category_atom"),
    path("tags/<slug:slug>/", views.tag, name="tag"),
    path("tags/<slug:slug>/feed.rss", feeds.TagFeed(), name="tag_rss"),
    path("tags/<slug:slug>/feed.atom", feeds.TagAtomFeed(), name="tag_atom"),
    path("t/<int:pk>/", views.thread_redirect, name="thread_short"),
    path("t/<int:pk>/reply/", views_posting.reply, name="reply"),
    path("t/<int:pk>/accept/", views_posting.accept, name="accept"),
    path("t/<int:pk>/<slug:slug>/", views.thread_detail, name="thread"),
    path("p/<int:pk>/", views.post_permalink, name="post"),
    path("p/<int:pk>/edit/", views_posting.edit, name="edit"),
    path("p/<int:pk>/delete/", views_posting.delete, name="delete"),
    path("p/<int:pk>/history/", views.post_history, name="history"),
    path("p/<int:pk>/vote/", views_posting.vote, name="vote"),
    path("p/<int:pk>/official/", views_posting.official, name="official"),
    # moderation and notifications (forum.views_moderation, forum.views_notifications)
    path("p/<int:pk>/flag/", views_moderation.flag, name="flag"),
    path("mod/p/<int:pk>/<slug:action>/", views_moderation.post_action, name="mod_post"),
    path("mod/t/<int:pk>/move/", views_moderation.move, name="mod_move"),
    path("mod/t/<int:pk>/merge/", views_moderation.merge, name="mod_merge"),
    path("mod/t/<int:pk>/split/", views_moderation.split, name="mod_split"),
    path("mod/t/<int:pk>/duplicate/", views_moderation.duplicate, name="mod_duplicate"),
    path("mod/t/<int:pk>/<slug:action>/", views_moderation.thread_action, name="mod_thread"),
    path("notifications/", views_notifications.notification_list, name="notifications"),
    path(
        "notifications/<int:pk>/",
        views_notifications.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/settings/",
        views_notifications.notification_settings,
        name="notification_settings",
    ),
    path("watch/t/<int:pk>/", views_notifications.watch_thread, name="watch_thread"),
    path("c/<slug:slug>/watch/", views_notifications.watch_category, name="watch_category"),
    path("unsubscribe/<str:token>/", views_notifications.unsubscribe, name="unsubscribe"),
]
