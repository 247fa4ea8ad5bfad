"""The outbox: written with the change, applied after commit, nothing lost, nothing leaked."""

from __future__ import annotations

from django.core.management import call_command
from django.db import transaction
from django.test import TestCase, override_settings

from archive.models import SearchOutbox, Transcript, Turn
from archive.search import SearchParameters, indexer, search_turns
from archive.search.backends import get_search_backend
from archive.search.outbox import enqueue
from tests.fixtures import BRIEFING_EN, MANANERA_ES, MFA_EN, MFA_ZH, doc, import_document
from tests.search.helpers import temp_search_index


class OutboxTests(TestCase):
    def setUp(self) -> None:
        self.enterContext(temp_search_index())

    def test_a_rolled_back_change_leaves_no_row_and_no_document(self) -> None:
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            try:
                with transaction.atomic():
                    import_document(BRIEFING_EN)
                    self.assertEqual(SearchOutbox.objects.count(), 1)
                    raise RuntimeError("the import fails after writing")
            except RuntimeError:
                pass
        self.assertEqual(callbacks, [])
        self.assertEqual(SearchOutbox.objects.count(), 0)
        self.assertEqual(search_turns(SearchParameters(q="tariffs")).count, 0)
        self.assertEqual(get_search_backend().count(), 0)

    def test_a_committed_change_is_visible_to_the_next_search(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            import_document(BRIEFING_EN)
            self.assertEqual(search_turns(SearchParameters(q="tariffs")).count, 0)  # not before the commit
        self.assertEqual(search_turns(SearchParameters(q="tariffs")).count, 2)
        self.assertEqual(SearchOutbox.objects.count(), 0)

    def test_one_row_per_transcript_and_transaction(self) -> None:
        with self.captureOnCommitCallbacks(execute=False):
            import_document(BRIEFING_EN)
            import_document(BRIEFING_EN)  # a re-import deletes and recreates every turn
            self.assertEqual(SearchOutbox.objects.count(), 1)

    def test_a_savepoint_rollback_does_not_fool_the_dedup(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            (transcript,) = [import_document(BRIEFING_EN)]
        with self.captureOnCommitCallbacks(execute=True):
            try:
                with transaction.atomic():
                    enqueue(transcript.pk)
                    raise RuntimeError
            except RuntimeError:
                pass
            # The savepoint took its row and marker away: this edit must write a new row.
            Turn.objects.filter(transcript=transcript, position=4).update(text="Quotas on aluminium.")
            enqueue(transcript.pk)
            self.assertEqual(SearchOutbox.objects.count(), 1)
        self.assertEqual(search_turns(SearchParameters(q="aluminium")).count, 1)

    def test_editing_a_translation_updates_its_original(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            import_document(MFA_ZH)
            import_document(MFA_EN)
        turn = Turn.objects.get(transcript__slug="mfa-en", position=2)
        with self.captureOnCommitCallbacks(execute=True):
            turn.text = "We will deepen fisheries cooperation."
            turn.save()
        page = search_turns(SearchParameters(q="fisheries", language="zh-Hans"))
        self.assertEqual([(h.transcript.slug, h.turn.position) for h in page.results], [("mfa-zh", 2)])

    @override_settings(SEARCH_INDEXER="worker")
    def test_in_worker_mode_only_the_indexer_writes(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            import_document(MANANERA_ES)
        self.assertEqual(search_turns(SearchParameters(q="educacion")).count, 0)
        self.assertEqual(SearchOutbox.objects.count(), 1)
        call_command("run_indexer", "--once", stdout=open("/dev/null", "w"))  # noqa: SIM115
        self.assertEqual(search_turns(SearchParameters(q="educacion")).count, 1)
        self.assertEqual(SearchOutbox.objects.count(), 0)

    @override_settings(SEARCH_INDEXER="worker")
    def test_rows_survive_a_process_dying_before_the_indexer_ran(self) -> None:
        with self.captureOnCommitCallbacks(execute=False):  # the process "dies": no callback runs
            import_document(MANANERA_ES)
        self.assertEqual(SearchOutbox.objects.count(), 1)
        self.assertEqual(indexer.drain(), 1)
        self.assertEqual(search_turns(SearchParameters(q="educacion")).count, 1)

    def test_deleting_a_transcript_directly_is_followed(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            import_document(doc("gone", "en", [("A", "statement", "Soon deleted words")]))
        with self.captureOnCommitCallbacks(execute=True):
            Transcript.objects.filter(slug="gone").delete()
        self.assertEqual(search_turns(SearchParameters(q="deleted")).count, 0)


class IndexCurrentWhateverTheImportOrderTests(TestCase):
    """Each document imported in its own transaction, as `import_transcripts` and the API do."""

    def setUp(self) -> None:
        self.enterContext(temp_search_index())

    def import_each(self, *documents: dict[str, object]) -> None:
        for document in documents:
            with self.captureOnCommitCallbacks(execute=True):
                import_document(document)

    def assert_index_current(self) -> None:
        report = indexer.check()
        stale = [(d.slug, d.position) for d in report.stale]
        self.assertEqual((report.missing, stale, report.extra), ([], [], []))

    def test_a_translation_imported_after_its_original_leaves_no_stale_turn(self) -> None:
        self.import_each(MFA_ZH, MFA_EN)
        self.assert_index_current()
        # The original's documents carry the translation's words: English finds the Chinese turn.
        hits = search_turns(SearchParameters(q="prospects economic cooperation", language="zh-Hans"))
        self.assertIn("mfa-zh", {hit.transcript.slug for hit in hits.results})

    def test_a_translation_imported_before_its_original_leaves_no_stale_turn(self) -> None:
        self.import_each(MFA_EN, MFA_ZH)
        self.assert_index_current()

    def test_a_translation_moved_to_another_original_leaves_neither_stale(self) -> None:
        other = {**MFA_ZH, "slug": "mfa-zh-other"}
        self.import_each(MFA_ZH, other, MFA_EN)
        self.import_each({**MFA_EN, "translation_of": "mfa-zh-other"})
        self.assert_index_current()
