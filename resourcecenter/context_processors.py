from django.conf import settings

from resourcecenter import access


def site_context(request):
    # A callable: templates that show an upgrade link resolve it, others never pay for it.
    return {"SITE_NAME": settings.WAGTAIL_SITE_NAME, "upgrade_url": access.upgrade_url}
