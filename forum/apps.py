from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "forum"
    verbose_name = "Community forum"

    def ready(self):
        # Connect the notification and trust receivers to forum.signals, and the receivers
        # that keep stored @mention highlights in step with deactivated accounts; and the one
        # that hands imported members to whoever verifies their old e-mail address.
        from forum import mentions, notifications, trust  # noqa: F401
        from forum.cache import connect
        from forum.importers import claims  # noqa: F401

        connect()  # every write that may change a page moves the cache generation
