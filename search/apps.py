from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self):
        from search import checks, registry  # noqa: F401  (checks registers itself)

        registry.autodiscover()
