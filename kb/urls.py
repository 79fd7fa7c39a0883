from django.urls import path

from kb import views
from kb.feeds import ArticlesFeed, SectionArticlesFeed

app_name = "kb"
urlpatterns = [
    path("feeds/articles.atom", ArticlesFeed(), name="articles_feed"),
    path(
        "feeds/sections/<int:section_id>.atom",
        SectionArticlesFeed(),
        name="section_feed",
    ),
    path("kb/feedback/<int:page_id>/", views.article_feedback, name="feedback"),
]
