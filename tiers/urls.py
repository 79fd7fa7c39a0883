from django.urls import path

from tiers import views

app_name = "tiers"
urlpatterns = [
    path("", views.home, name="home"),
    path("plans/", views.plans, name="plans"),
    path("organisations/", views.org_list, name="org_list"),
    path("organisations/new/", views.org_create, name="org_create"),
    path("organisations/<slug:slug>/", views.org_detail, name="org_detail"),
    path("organisations/<slug:slug>/settings/", views.org_settings, name="org_settings"),
    path("organisations/<slug:slug>/invite/", views.org_invite, name="org_invite"),
    path("organisations/<slug:slug>/members/<int:pk>/", views.org_member, name="org_member"),
    path(
        "organisations/<slug:slug>/subscribe/<slug:code>/",
        views.org_subscribe,
        name="org_subscribe",
    ),
    path("organisations/<slug:slug>/subscription/", views.org_cancel, name="org_cancel"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("tickets/", views.ticket_list, name="ticket_list"),
    path("tickets/new/", views.ticket_new, name="ticket_new"),
    path("tickets/<str:case_number>/", views.ticket_detail, name="ticket_detail"),
    path("tickets/<str:case_number>/reply/", views.ticket_reply, name="ticket_reply"),
    path("tickets/<str:case_number>/close/", views.ticket_close, name="ticket_close"),
    path("tickets/<str:case_number>/dispute/", views.ticket_dispute, name="ticket_dispute"),
    path("tickets/<str:case_number>/escalate/", views.ticket_escalate, name="ticket_escalate"),
    path("tickets/<str:case_number>/staff/", views.ticket_staff, name="ticket_staff"),
    path("tickets/<str:case_number>/quotes/<int:pk>/", views.quote_decide, name="quote_decide"),
    path(
        "tickets/<str:case_number>/attachments/<int:pk>/",
        views.attachment,
        name="attachment",
    ),
    path("problems/", views.problem_list, name="problem_list"),
    path("problems/<int:pk>/", views.problem_detail, name="problem_detail"),
    path("threads/<int:pk>/escalate/", views.thread_escalate, name="thread_escalate"),
    path("threads/<int:pk>/promote/", views.thread_promote, name="thread_promote"),
]
