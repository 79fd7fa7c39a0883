from django.apps import AppConfig


class TiersConfig(AppConfig):
    name = "tiers"
    verbose_name = "Support tiers"

    def ready(self):
        from tiers import gate, signals

        gate._connect_invalidation()
        signals.connect()
