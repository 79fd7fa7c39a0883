import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resourcecenter.settings.production")
# What django.core.wsgi.get_wsgi_application does, with the handler that answers anonymous
# pages' cache hits before Django's request handling (resourcecenter.pagecache).
django.setup(set_prefix=False)

from resourcecenter.pagecache import PageCacheWSGIHandler  # noqa: E402  (needs the apps ready)

application = PageCacheWSGIHandler()
