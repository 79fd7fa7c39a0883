"""The Community's URLs, mounted at /community/."""

from django.urls import path

from forum import feeds, views

app_name = "forum"

urlpatterns = [
    path("", views.index, name="index"),
    path("threads/", views.thread_list, name="threads"),
    path("ask/", views.ask, name="ask"),
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
    path("t/<int:pk>/reply/", views.reply, name="reply"),
    path("t/<int:pk>/accept/", views.accept, name="accept"),
    path("t/<int:pk>/<slug:slug>/", views.thread_detail, name="thread"),
    path("p/<int:pk>/", views.post_permalink, name="post"),
    path("p/<int:pk>/edit/", views.edit, name="edit"),
    path("p/<int:pk>/delete/", views.delete, name="delete"),
    path("p/<int:pk>/history/", views.post_history, name="history"),
    path("p/<int:pk>/vote/", views.vote, name="vote"),
    path("p/<int:pk>/official/", views.official, name="official"),
]
