"""python manage.py send_alerts [--frequency daily|weekly]: email the alert digests that are due.

For cron or a systemd timer (docs/operations.md): run it daily (weekly digests are sent when a
week has passed since the last). Safe to run twice or after being killed: each subscription's
digest covers the transcripts published since its last one, and is recorded as it is sent.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from tqdm import tqdm

from archive.alerts import due_subscriptions, send_digests
from archive.models import AlertFrequency, AlertSubscription


class Command(BaseCommand):
    help = "Email the alert digests that are due (daily and weekly); safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--frequency",
            choices=AlertFrequency.values,
            action="append",
            help="only these digests (repeatable; default: all that are due)",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        frequencies = options["frequency"] or AlertFrequency.values
        now = timezone.now()
        due = len(due_subscriptions(now, frequencies))
        show = not options["no_progress"] and sys.stderr.isatty()
        with tqdm(total=due, unit="alert", desc="digests", disable=not show, file=sys.stderr) as bar:

            def advance(subscription: AlertSubscription) -> None:
                bar.update(1)

            run = send_digests(frequencies=frequencies, now=now, progress=advance)
        self.stdout.write(
            f"{run.due} alerts due: {run.sent} digests sent ({run.turns} turns), "
            f"{run.empty} with nothing new."
        )
