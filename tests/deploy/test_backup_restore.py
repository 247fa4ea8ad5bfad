"""Backup and restore as docs/operations.md says: export everything (drafts and
review too) -> empty database -> import -> export again is byte-identical, and the rebuilt search
index matches the database. The archive holds every script we know of, script and SQL payloads in
every text field, and characters that trip line-based formats (U+2028, U+0085, tabs, RTL marks).
"""

from __future__ import annotations

import tempfile
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.test import TransactionTestCase

from archive.models import SearchOutbox, Speaker, Topic, Transcript, TranscriptStatus, Turn
from archive.search import SearchParameters, search_turns
from tests.fixtures import import_document
from tests.search.helpers import temp_search_index
from tests.security.test_injection import SQL_PAYLOADS, XSS_PAYLOADS

# (language, title, question, answer): one transcript per script.
SCRIPTS = [
    ("en", "Press briefing", "What about the tariffs?", "They stay in place."),
    ("zh-Hans", "外交部例行记者会", "中方如何看待合作前景？", "我们愿同各方加强合作。"),
    ("zh-Hant", "外交部例行記者會", "中方如何看待合作前景？", "我們願同各方加強合作。"),
    ("ja", "東京都議会 委員会", "準備状況について伺います。", "予定どおり実施しております。"),
    ("ko", "국회 대정부 질문", "예산안은 언제 제출됩니까?", "다음 주에 제출하겠습니다."),
    ("he", "ועדת החינוך", "מתי יוצגו התכניות?", "בחודש הבא, שָׁלוֹם לכולם."),
    ("ar", "مؤتمر صحفي", "هل وقّعت الحكومة الاتفاقية؟", "نعم، وقّعنا الاتّفاقيّة صباح اليوم."),
    ("fa", "نشست خبری", "نظر دولت چیست؟", "ما از گفتگو حمایت می‌کنیم."),
    ("es", "Conferencia matutina", "¿Qué planes hay para la educación?", "Más maestros y escuelas."),
    ("ru", "Пресс-конференция", "Обсуждались ли санкции?", "Да, обсуждались."),
    ("el", "Συνέντευξη Τύπου", "Τι θα γίνει με τους δασμούς;", "Παραμένουν σε ισχύ."),
    ("hi", "प्रेस वार्ता", "शिक्षा के लिए क्या योजना है?", "नए विद्यालय बनेंगे।"),
    ("th", "แถลงข่าว", "รัฐบาลมีแผนอย่างไร", "เราจะสร้างโรงเรียนใหม่"),
    ("am", "ጋዜጣዊ መግለጫ", "ምን ታቅዷል?", "አዲስ ትምህርት ቤቶች።"),
]
# Characters that a line-based reader or a careless strip() would lose or split at.
AWKWARD = "tab\there, line\u2028separator, next\u0085line, \u200fRTL mark\u200e, e\u0301, 👩\u200d🔬, \\ \" '"
PAYLOADS = XSS_PAYLOADS + SQL_PAYLOADS
STATUSES = [TranscriptStatus.PUBLISHED, TranscriptStatus.DRAFT, TranscriptStatus.REVIEW]


def script_document(index: int, language: str, title: str, question: str, answer: str) -> dict[str, Any]:
    payload = PAYLOADS[index % len(PAYLOADS)]
    return {
        "format": "qa-archive/1",
        "slug": f"backup-{language.lower()}",
        "title": f"{title} {payload}",
        "date": f"20{10 + index}-0{1 + index % 9}-1{index % 10}",
        "language": language,
        "event": payload,
        "place": f"{AWKWARD} {payload}",
        "description": f"{payload}\n{AWKWARD}",
        "status": STATUSES[index % len(STATUSES)],
        "topics": [f"backup-topic-{index % 4}", payload],
        "speakers": [
            # No slug: derived from a name full of payload.
            {"name": f"{payload} {language}", "role": payload, "aliases": [payload]},
            {
                "name": f"Official {index}",
                "slug": f"backup-official-{index}",
                "names": {language: f"{title} ({payload})", "en": f"Official {index}"},
            },
        ],
        "turns": [
            {
                "speaker": f"{payload} {language}",
                "kind": "question",
                "text": f"{question} {payload}",
                "topics": [payload],
                "start": 1.5,
                "end": 3.25,
            },
            {"speaker": f"Official {index}", "kind": "answer", "text": f"{answer}\n{payload}\n{AWKWARD}"},
            {
                "speaker": f"Official {index}",
                "kind": "statement",
                "text": f"zanzibar {payload}",
                "language": "en",
            },
        ],
    }


def archive_documents() -> list[dict[str, Any]]:
    documents = [script_document(i, *entry) for i, entry in enumerate(SCRIPTS)]
    # A translation aligned turn by turn, and one in review of an original that is a draft.
    english, chinese = documents[0], documents[1]
    translation = {
        **chinese,
        "slug": "backup-en-zh",
        "translation_of": english["slug"],
        "status": TranscriptStatus.PUBLISHED,
        "turns": [{**turn, "original": n} for n, turn in enumerate(chinese["turns"], start=1)],
    }
    # Every payload in every field (one per script above covers only the first ones).
    extra = [
        {**script_document(n, *SCRIPTS[n % len(SCRIPTS)]), "slug": f"backup-payload-{n}", "title": payload}
        for n, payload in enumerate(PAYLOADS)
    ]
    return [*documents, translation, *extra]


class BackupRestoreTests(TransactionTestCase):
    """Real commits (PostgreSQL cannot TRUNCATE inside a test's transaction), so `flush` is `flush`."""

    def setUp(self) -> None:
        self.enterContext(temp_search_index())
        self.folder = Path(self.enterContext(tempfile.TemporaryDirectory(prefix="backup-test-")))

    def command(self, *args: str) -> str:
        out = StringIO()
        call_command(*args, stdout=out, stderr=StringIO())
        return out.getvalue()

    def backup(self, name: str) -> bytes:
        path = self.folder / name
        self.command("export_transcripts", "--include-drafts", "--format", "ndjson", "--output", str(path))
        return path.read_bytes()

    def test_export_flush_import_export_is_byte_identical_and_the_index_matches(self) -> None:
        documents = archive_documents()
        for data in documents:
            import_document(data)  # committed: the outbox reaches the index as in production
        statuses = set(Transcript.objects.values_list("status", flat=True))
        self.assertEqual(statuses, set(TranscriptStatus.values))
        counts = (
            Transcript.objects.count(),
            Turn.objects.count(),
            Speaker.objects.count(),
            Topic.objects.count(),
        )

        first = self.backup("backup.ndjson")
        self.assertEqual(len(first.splitlines()), len(documents))
        self.assertIn("\u2028".encode(), first)  # kept raw (ensure_ascii=False): what tripped NDJSON

        self.command("flush", "--no-input")
        self.assertEqual(Transcript.objects.count() + Speaker.objects.count() + Topic.objects.count(), 0)

        summary = self.command("import_transcripts", str(self.folder / "backup.ndjson"), "--no-progress")
        self.assertIn(f"imported {len(documents)} documents ({len(documents)} new, 0 replaced)", summary)
        self.assertIn("rejected: 0", summary)
        restored = (
            Transcript.objects.count(),
            Turn.objects.count(),
            Speaker.objects.count(),
            Topic.objects.count(),
        )
        self.assertEqual(restored, counts)

        second = self.backup("again.ndjson")
        self.assertEqual(second, first)

        # The search index, as docs/operations.md restores it: rebuilt, then checked against the database.
        SearchOutbox.objects.all().delete()  # the rebuild reads the database itself
        self.command("rebuild_index", "--no-progress")
        self.assertIn("The index matches the database", self.command("check_index", "--no-progress"))
        published = Turn.objects.filter(
            transcript__status=TranscriptStatus.PUBLISHED, text__contains="zanzibar"
        )
        page = search_turns(SearchParameters(q="zanzibar", page_size=100))
        self.assertEqual(page.count, published.count())
        self.assertGreater(page.count, 0)
        self.assertLess(page.count, Turn.objects.filter(text__contains="zanzibar").count())  # no drafts

    def test_every_payload_survives_in_every_field(self) -> None:
        for data in archive_documents():
            import_document(data)
        for payload in PAYLOADS:
            with self.subTest(payload=payload):
                self.assertTrue(Transcript.objects.filter(title=payload).exists())
                self.assertTrue(Turn.objects.filter(text__contains=f"\n{payload}\n").exists())
                self.assertTrue(Speaker.objects.filter(name__startswith=payload).exists())
