from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = "Q&A archive"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from archive.curators import on_post_migrate

        # Connected to every app's post_migrate, after auth's own handler created permissions.
        post_migrate.connect(on_post_migrate, dispatch_uid="archive.curators.sync")

        # The search index follows every change through the outbox (archive/search/signals.py).
        from archive.search import signals

        signals.connect()

        from django.core import checks

        from config.client_address import check_trusted_proxies

        checks.register(check_trusted_proxies, checks.Tags.security, deploy=True)
