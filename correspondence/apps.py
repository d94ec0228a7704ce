from django.apps import AppConfig


class CorrespondenceConfig(AppConfig):
    """งานสารบรรณ: letters, register books, receiving, routing and their reference data."""

    name = "correspondence"
    verbose_name = "งานสารบรรณ"
