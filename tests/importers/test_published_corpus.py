"""Every White House briefing and gob.mx mañanera of the shared corpus, through `import_transcripts`."""

from __future__ import annotations

import contextlib
import json
import re
from io import StringIO
from typing import ClassVar

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.test import TestCase

from archive.models import Transcript, Turn
from tests.fixtures import CORPUS, needs_corpus

WH = CORPUS / "raw" / "whitehouse_press_briefings_en"
AMLO = CORPUS / "raw" / "amlo_mananeras_es"
# What counts as a speaker label for the independent check below: an upper-case word and a
# colon at the start of a paragraph, bold or not, or `Q` and a space.
LOOSE_LABEL = re.compile(r"^\**_?[A-ZÁÉÍÓÚÑ][A-ZÁÉÍÓÚÑ .,'-]{3,}\**_?\s*:|^Q\s", re.MULTILINE)


@needs_corpus
class PublishedCorpusImportTests(TestCase):
    stdout: ClassVar[str]
    stderr: ClassVar[str]

    @classmethod
    def setUpTestData(cls) -> None:
        out, err = StringIO(), StringIO()
        # The folders hold non-transcripts too, so the command fails; its rejections are checked below.
        with contextlib.suppress(CommandError):
            call_command("import_transcripts", str(WH), str(AMLO), "--no-progress", stdout=out, stderr=err)
        cls.stdout, cls.stderr = out.getvalue(), err.getvalue()

    def rejected_files(self) -> set[str]:
        return {m.group(1) for m in re.finditer(r"^rejected: (.+?): ", self.stderr, re.MULTILINE)}

    def test_every_white_house_briefing_imports(self) -> None:
        briefings = sorted((WH / "press-briefings").rglob("*.md"))
        self.assertEqual(len(briefings), 289)
        self.assertFalse({str(p) for p in briefings} & self.rejected_files())
        imported = Transcript.objects.filter(source_url__contains="bidenwhitehouse.archives.gov")
        self.assertEqual(imported.count(), len(briefings))
        self.assertEqual(set(imported.values_list("language", flat=True)), {"en"})

    def test_only_the_mananeras_without_speaker_labels_are_rejected(self) -> None:
        dated = sorted(AMLO.glob("????-??-??.md"))
        rejected = sorted(p for p in dated if str(p) in self.rejected_files())
        # SOURCES.md: five files are speeches without speaker labels; check that they truly are.
        self.assertEqual(len(rejected), 5)
        for path in rejected:
            self.assertIsNone(LOOSE_LABEL.search(path.read_text(encoding="utf-8")), path.name)
            self.assertIn(f"rejected: {path}: no speaker labels found", self.stderr)
        # The language of these files is guessed (they have no front matter): Spanish, every one.
        mananeras = Transcript.objects.exclude(source_url__contains="bidenwhitehouse")
        self.assertEqual(mananeras.count(), len(dated) - 5)
        self.assertEqual(set(mananeras.values_list("language", flat=True)), {"es"})

    def test_files_that_are_not_transcripts_are_rejected_saying_why(self) -> None:
        for path in (WH / "LICENSE.CC0.txt", WH / "SOURCE_COMMIT.txt", AMLO / "README.source.md"):
            self.assertIn(f"rejected: {path}: no speaker labels found", self.stderr)
        self.assertIn("imported 414 documents", self.stdout)
        self.assertIn("rejected: 9", self.stdout)

    def test_turn_totals_are_close_to_the_corpus_normaliser(self) -> None:
        # normalize.py's counts (stats.json): whitehouse 28,607 turns, amlo 7,463. We find more:
        # - labels it misses: accented names (`MR. FERNÁNDEZ HERNÁNDEZ:`), Zoom reporters in
        #   italics (`*Q    Can you hear me?*`), gob.mx video voices in italics (`**_VOZ MUJER:_ **`);
        # - it joins a speaker's consecutive statements into one turn; we keep each label's turn,
        #   as published (under `SENIOR ADMINISTRATION OFFICIAL` the next label is often someone else).
        # Measured: 28,739 (+0.5%) and 7,766 (+4.1%; also speech before the first label of one file
        # becomes an unattributed turn).
        stats = json.loads((CORPUS / "stats.json").read_text(encoding="utf-8"))["sources"]
        wh_turns = Turn.objects.filter(transcript__source_url__contains="bidenwhitehouse").count()
        amlo_turns = Turn.objects.exclude(transcript__source_url__contains="bidenwhitehouse").count()
        for ours, theirs in ((wh_turns, stats["whitehouse"]["turns"]), (amlo_turns, stats["amlo"]["turns"])):
            self.assertGreaterEqual(ours, theirs)
            self.assertLess(ours, theirs * 1.05)

    def test_answers_reply_to_a_question_and_reporters_ask(self) -> None:
        answers = Turn.objects.filter(kind="answer")
        self.assertGreater(answers.count(), 15_000)
        self.assertFalse(answers.filter(reply_to__isnull=True).exists())
        self.assertFalse(answers.exclude(reply_to__kind="question").exists())
        askers = set(
            Turn.objects.filter(kind="question")
            .values("speaker__name")
            .annotate(n=Count("id"))
            .filter(n__gte=100)
            .values_list("speaker__name", flat=True)
        )
        self.assertEqual(askers, {"Q", "PREGUNTA", "INTERLOCUTOR", "INTERLOCUTORA", "INTERVENCIÓN"})

    def test_a_second_import_replaces_rather_than_duplicates(self) -> None:
        before = Transcript.objects.count()
        out = StringIO()
        call_command("import_transcripts", str(AMLO / "2020-06-09.md"), "--no-progress", stdout=out)
        self.assertIn("(0 new, 1 replaced)", out.getvalue())
        self.assertEqual(Transcript.objects.count(), before)
