from django.urls import path

from kb import views
from kb.feeds import ArticlesFeed

app_name = "kb"
urlpatterns = [
    path("feeds/articles.atom", ArticlesFeed(), name="articles_feed"),
    path("kb/feedback/<int:page_id>/", views.article_feedback, name="feedback"),
]
