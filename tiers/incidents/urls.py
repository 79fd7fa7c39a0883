from django.urls import path

from tiers.incidents import views_status as views

app_name = "status"
urlpatterns = [
    path("", views.status, name="index"),
    path("history/", views.history, name="history"),
    path("incidents/<int:pk>/", views.incident, name="incident"),
    path("summary.json", views.summary_json, name="summary_json"),
    path("feed.atom", views.feed, name="feed"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("webhooks/confirm/<str:token>/", views.webhook_confirm, name="webhook_confirm"),
]
