from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = "Resource Center content"

    def ready(self):
        from kb import signals  # noqa: F401  (scheduled publishing on time)
