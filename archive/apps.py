from __future__ import annotations

from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = "Q&A archive"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The search index follows every change through the outbox (archive/search/signals.py).
        from archive.search import signals

        signals.connect()
