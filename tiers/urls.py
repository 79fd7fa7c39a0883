from django.urls import path

from tiers.incidents import views as incident_views
from tiers.plans import views as plan_views
from tiers.reports import views as report_views
from tiers.tickets import views as ticket_views
from tiers.tickets import views_satisfaction, views_workspace
from tiers.tickets import webhooks as inbound_webhooks

app_name = "tiers"
urlpatterns = [
    path("", plan_views.home, name="home"),
    # Mailgun picks raw MIME delivery when the route's URL contains "mime".
    path("inbound/mailgun/", inbound_webhooks.mailgun_inbound, name="inbound_mailgun"),
    path("inbound/mailgun_mime/", inbound_webhooks.mailgun_inbound, name="inbound_mailgun_mime"),
    path("plans/", plan_views.plans, name="plans"),
    path("organisations/", plan_views.org_list, name="org_list"),
    path("organisations/new/", plan_views.org_create, name="org_create"),
    path("organisations/<slug:slug>/", plan_views.org_detail, name="org_detail"),
    path("organisations/<slug:slug>/settings/", plan_views.org_settings, name="org_settings"),
    path("organisations/<slug:slug>/invite/", plan_views.org_invite, name="org_invite"),
    path("organisations/<slug:slug>/members/<int:pk>/", plan_views.org_member, name="org_member"),
    path(
        "organisations/<slug:slug>/subscribe/<slug:code>/",
        plan_views.org_subscribe,
        name="org_subscribe",
    ),
    path("organisations/<slug:slug>/subscription/", plan_views.org_cancel, name="org_cancel"),
    path("organisations/<slug:slug>/reports/", report_views.org_report, name="org_report"),
    path(
        "organisations/<slug:slug>/reports/export.csv",
        report_views.org_report_csv,
        name="org_report_csv",
    ),
    path("invitations/<str:token>/", plan_views.invitation, name="invitation"),
    path("tickets/", ticket_views.ticket_list, name="ticket_list"),
    path("tickets/new/", ticket_views.ticket_new, name="ticket_new"),
    path("tickets/<str:case_number>/", ticket_views.ticket_detail, name="ticket_detail"),
    path("tickets/<str:case_number>/reply/", ticket_views.ticket_reply, name="ticket_reply"),
    path("tickets/<str:case_number>/close/", ticket_views.ticket_close, name="ticket_close"),
    path("tickets/<str:case_number>/dispute/", ticket_views.ticket_dispute, name="ticket_dispute"),
    path(
        "tickets/<str:case_number>/escalate/", ticket_views.ticket_escalate, name="ticket_escalate"
    ),
    path("tickets/<str:case_number>/staff/", views_workspace.staff_action, name="ticket_staff"),
    path("tickets/<str:case_number>/compose/", views_workspace.compose, name="ticket_compose"),
    path("tickets/<str:case_number>/update/", views_workspace.update, name="ticket_update"),
    path("tickets/<str:case_number>/merge/", views_workspace.merge, name="ticket_merge"),
    path("tickets/<str:case_number>/cc/", views_workspace.cc, name="ticket_cc"),
    path(
        "tickets/<str:case_number>/presence/",
        views_workspace.presence_view,
        name="ticket_presence",
    ),
    path("rate/<str:token>/", views_satisfaction.rate, name="satisfaction"),
    path(
        "tickets/<str:case_number>/incident/",
        ticket_views.ticket_link_incident,
        name="ticket_link_incident",
    ),
    path("tickets/<str:case_number>/traces/", ticket_views.trace_request, name="trace_request"),
    path(
        "tickets/<str:case_number>/traces/<int:pk>/capture/",
        ticket_views.trace_attach,
        name="trace_attach",
    ),
    path(
        "tickets/<str:case_number>/traces/<int:pk>/download/",
        ticket_views.trace_download,
        name="trace_download",
    ),
    path(
        "tickets/<str:case_number>/quotes/<int:pk>/", ticket_views.quote_decide, name="quote_decide"
    ),
    path(
        "tickets/<str:case_number>/attachments/<int:pk>/",
        ticket_views.attachment,
        name="attachment",
    ),
    path("problems/", incident_views.problem_list, name="problem_list"),
    path("problems/<int:pk>/", incident_views.problem_detail, name="problem_detail"),
    path(
        "problems/<int:pk>/postmortem/",
        incident_views.problem_postmortem,
        name="problem_postmortem",
    ),
    path("threads/<int:pk>/escalate/", ticket_views.thread_escalate, name="thread_escalate"),
    path("threads/<int:pk>/promote/", ticket_views.thread_promote, name="thread_promote"),
]
