from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "forum"
    verbose_name = "Community forum"

    def ready(self):
        # Connect the notification and trust receivers to forum.signals.
        from forum import notifications, trust  # noqa: F401
