from django.apps import AppConfig


class CorrespondenceConfig(AppConfig):
    """งานสารบรรณ: letters, register books, receiving, routing and their reference data."""

    name = "correspondence"
    verbose_name = "งานสารบรรณ"

    def ready(self):
        from correspondence import checks  # noqa: F401 (registers the settings checks)
        from correspondence import search_receivers  # noqa: F401 (connects the search index)
        from correspondence.exchange import receivers as exchange_receivers

        exchange_receivers.connect()
