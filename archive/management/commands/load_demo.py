"""python manage.py load_demo [--force]: the demo transcripts, topic labels and (in DEBUG) a login."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.importers import collect_files, import_documents, read_files
from archive.models import Topic, Transcript

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
DEMO_SLUG = "peres-weibo-2014-04-10"

# Labels of the demo's topics in every interface language.
TOPIC_LABELS: dict[str, dict[str, str]] = {
    "technology": {
        "en": "Technology and innovation",
        "zh-Hans": "科技创新",
        "he": "טכנולוגיה וחדשנות",
        "es": "Tecnología e innovación",
        "ar": "التكنولوجيا والابتكار",
    },
    "sino-israeli-relations": {
        "en": "Sino-Israeli relations",
        "zh-Hans": "中以关系",
        "he": "יחסי סין–ישראל",
        "es": "Relaciones sino-israelíes",
        "ar": "العلاقات الصينية الإسرائيلية",
    },
    "education": {
        "en": "Education and learning",
        "zh-Hans": "教育与学习",
        "he": "חינוך ולמידה",
        "es": "Educación y aprendizaje",
        "ar": "التعليم والتعلم",
    },
}

DEMO_LOGIN = ("admin", "admin")


class Command(BaseCommand):
    help = "Load the demo transcripts (archive/demo/) unless they are already there."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="re-import even if already loaded")

    def handle(self, *args: Any, **options: Any) -> None:
        if Transcript.objects.filter(slug=DEMO_SLUG).exists() and not options["force"]:
            self.stdout.write("demo data already loaded (use --force to load it again)")
        else:
            # Only the transcripts: the folder's README.md is documentation, not a transcript.
            # The original before its translations: a speaker's display name is the first one met.
            original = DEMO_DIR / f"{DEMO_SLUG}.json"
            translations = sorted(set(DEMO_DIR.glob("*.json")) - {original})
            paths = [original, *translations, DEMO_DIR / "whitehouse"]
            report = import_documents(read_files(collect_files(paths)))
            for error in report.errors:
                self.stderr.write(f"rejected: {error}")
            self.stdout.write("demo: " + report.summary())
            if report.rejected:
                raise CommandError("the demo data did not load cleanly", returncode=1)
            for slug, labels in TOPIC_LABELS.items():
                Topic.objects.update_or_create(slug=slug, defaults={"labels": labels})
        self._ensure_demo_login()

    def _ensure_demo_login(self) -> None:
        # A known password is only acceptable on a developer's machine.
        if not settings.DEBUG:
            return
        users = get_user_model().objects
        if users.filter(is_superuser=True).exists():
            return
        username, password = DEMO_LOGIN
        users.create_superuser(username=username, email="", password=password)
        self.stdout.write(f"created the superuser {username!r} with password {password!r} (DEBUG only)")
