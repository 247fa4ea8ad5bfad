"""A streamed export holds a bounded batch of turns, whatever the size of the archive.

Checked by what is cheap and exact: which transcripts each turn query fetches together, how
many queries a batch costs, and how many Turn objects are alive while one transcript is written.
"""

from __future__ import annotations

import gc
import json
import re
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from archive.exporters import get_exporter
from archive.models import Transcript, Turn
from archive.selectors import iterate_for_export, transcripts_for_export
from tests.fixtures import document, import_document

# Turns of each transcript, in slug order; the fourth is longer than a batch.
TURN_COUNTS = [3, 3, 3, 10, 2, 2, 2, 2]
BATCH = 7
# Greedy batches of at most BATCH turns, a longer transcript alone: what memory may hold at once.
EXPECTED_BATCHES = [[0, 1], [2], [3], [4, 5, 6], [7]]
QUERIES_PER_BATCH = 5  # transcript topics, recordings, appearances, turns with their speakers, turn topics

TURNS_QUERY = re.compile(
    r'FROM "archive_turn" (?:INNER JOIN .*? )?WHERE "archive_turn"."transcript_id" IN \(([^)]*)\)'
)


def make_document(index: int, turns: int) -> dict[str, object]:
    return document(
        slug=f"stream-{index:02d}",
        speakers=[{"name": "Asker"}, {"name": "Answerer", "slug": "answerer"}],
        turns=[
            {
                "speaker": "Asker" if position % 2 == 0 else "Answerer",
                "kind": "question" if position % 2 == 0 else "answer",
                "text": f"turn {position} of transcript {index}",
                "topics": ["economy"] if position == 0 else [],
            }
            for position in range(turns)
        ],
    )


def turns_alive() -> int:
    # type(), not isinstance(): another test's weakref proxies whose object is gone would raise
    # ReferenceError when isinstance() asks them for __class__.
    return sum(1 for obj in gc.get_objects() if type(obj) is Turn)


class StreamedExportTests(TestCase):
    def setUp(self) -> None:
        for index, turns in enumerate(TURN_COUNTS):
            import_document(make_document(index, turns))
        self.ids = list(Transcript.objects.order_by("slug").values_list("pk", flat=True))

    def test_each_turn_query_fetches_one_batch_of_turns(self) -> None:
        with CaptureQueriesContext(connection) as queries:
            slugs = [t.slug for t in iterate_for_export(transcripts_for_export(), turns_per_batch=BATCH)]
        self.assertEqual(slugs, [f"stream-{index:02d}" for index in range(len(TURN_COUNTS))])
        fetched = [
            sorted(int(pk) for pk in match.group(1).split(","))
            for query in queries.captured_queries
            if (match := TURNS_QUERY.search(query["sql"]))
        ]
        self.assertEqual(fetched, [[self.ids[i] for i in batch] for batch in EXPECTED_BATCHES])
        # One query streams the transcripts, then a fixed number per batch: none per transcript or turn.
        self.assertEqual(len(queries.captured_queries), 1 + QUERIES_PER_BATCH * len(EXPECTED_BATCHES))

    def test_turns_are_let_go_once_written(self) -> None:
        exporter = get_exporter("ndjson")
        gc.collect()
        self.assertEqual(turns_alive(), 0)
        # Without the collector: turns must be freed as soon as they are let go, not left in
        # reference cycles for a full collection that a long export reaches rarely.
        gc.disable()
        try:
            for transcript in iterate_for_export(transcripts_for_export(), turns_per_batch=BATCH):
                exporter.render(transcript)
                held = len(transcript.turns.all())
                self.assertLessEqual(turns_alive(), max(BATCH, held), transcript.slug)
                del transcript
            self.assertEqual(turns_alive(), 0)
        finally:
            gc.enable()

    def test_the_documents_are_those_of_a_whole_queryset(self) -> None:
        exporter = get_exporter("ndjson")
        whole = "".join(exporter.render(t) for t in transcripts_for_export())
        streamed = "".join(
            exporter.render(t) for t in iterate_for_export(transcripts_for_export(), turns_per_batch=BATCH)
        )
        self.assertEqual(streamed, whole)
        out = StringIO()
        call_command("export_transcripts", stdout=out)
        self.assertEqual(out.getvalue(), whole)
        self.assertEqual(json.loads(whole.splitlines()[0])["turns"][0]["topics"], ["economy"])
