"""Private file storage for ticket attachments.

Files live under `TIERS_PRIVATE_ROOT` (default: var/private), outside MEDIA_ROOT, and have no
URL: they are only ever streamed by the permission-checked attachment view.
"""

import os

from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible

from tiers.conf import app_settings


@deconstructible
class PrivateStorage(FileSystemStorage):
    def __init__(self):
        super().__init__()

    @property
    def base_location(self):
        return str(app_settings.PRIVATE_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Ticket attachments have no public URL; use the attachment view.")
