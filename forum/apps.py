from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "forum"
    verbose_name = "Community forum"

    def ready(self):
        # Connect the notification and trust receivers to forum.signals, and the receivers
        # that keep stored @mention highlights in step with deactivated accounts.
        from forum import mentions, notifications, trust  # noqa: F401
