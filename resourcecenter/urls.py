from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.views.generic import RedirectView

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from resourcecenter import views

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # allauth's sign-up in a transaction that answers uniqueness races (before allauth.urls).
    path("accounts/signup/", views.signup, name="account_signup"),
    path("accounts/2fa/enrol/", views.mfa_enrol_staff, name="mfa_enrol_staff"),
    path("accounts/", include("allauth.urls")),
    path("accounts/profile/", views.profile, name="profile"),
    path(
        "accounts/verification/resend/",
        views.resend_verification,
        name="account_resend_verification",
    ),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", RedirectView.as_view(url=static_url("img/favicon.svg"), permanent=True)),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("", include("kb.urls")),
    path("community/", include("forum.urls")),
    path("search/", include("search.urls")),
    path("support/", include("tiers.urls")),
    path("status/", include("tiers.incidents.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
