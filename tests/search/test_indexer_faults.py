"""SIGKILL of the index writer mid-commit and of a rebuild mid-build: nothing committed is lost.

The quick version of `make reliability`'s fault run: a real forked process writes the real
Whoosh index and is killed with SIGKILL at a known point (it pauses there and signals the
test); the database stays in this process. The full run kills real `run_indexer` and
`rebuild_index` processes 20 times each under load (docs/reliability.md).
"""

from __future__ import annotations

import io
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from itertools import cycle
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from whoosh.index import TOC

from archive.devtools.reliability.harness import alive, children_of, kill
from archive.models import SearchOutbox
from archive.search import SearchParameters, indexer, search_turns
from archive.search.backends import get_search_backend, reset_backends
from archive.search.backends.whoosh import WhooshBackend
from archive.search.documents import IndexDocument, iter_all_documents, transcript_documents
from tests.fixtures import BRIEFING_EN, KNESSET_HE, MANANERA_ES, import_document
from tests.search.helpers import temp_search_index

FORK = multiprocessing.get_context("fork")


def _commit_then_hang(documents: dict[int, list[IndexDocument]], reached: Event) -> None:
    """In the child: apply the documents and stop after the segment files, before the TOC."""

    def hang(*args: Any, **kwargs: Any) -> None:
        reached.set()
        time.sleep(120)

    TOC.write = hang  # only in this child
    get_search_backend().apply(lambda: documents, wait=10)


def _rebuild_then_hang(documents: list[IndexDocument], at: int, reached: Event) -> None:
    """In the child: a rebuild that stops after `at` documents (the given ones, over and over)."""

    def slow() -> Iterator[IndexDocument]:
        for n, doc in enumerate(cycle(documents)):
            if n == at:
                reached.set()
                time.sleep(120)
            yield doc

    get_search_backend().rebuild(slow(), wait=10)


def _commit_repeatedly(documents: dict[int, list[IndexDocument]], commits: int) -> None:
    """In the child: one commit after another, each replacing the table of contents."""
    backend = get_search_backend()
    for _ in range(commits):
        backend.apply(lambda: documents, wait=10)


class IndexerKillTests(TestCase):
    def setUp(self) -> None:
        # One process per writer: the kill hits the writer itself.
        self.index_dir = self.enterContext(temp_search_index(PROCS=1))

    def kill_when_reached(self, target: Any, *args: Any) -> list[int]:
        """Run `target` in a forked child, SIGKILL it at its point; returns its children then."""
        reached = FORK.Event()
        child = FORK.Process(target=target, args=(*args, reached))
        child.start()
        try:
            self.assertTrue(reached.wait(60), "the child never reached the point to be killed at")
            children = children_of(child.pid)  # type: ignore[arg-type]
        finally:
            os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
            child.join()
        self.assertEqual(child.exitcode, -signal.SIGKILL)
        return children

    def use_procs(self, procs: int) -> None:
        settings.SEARCH_BACKENDS["default"]["PROCS"] = procs
        reset_backends()

    def check_index(self, *args: str) -> str:
        out = io.StringIO()
        call_command("check_index", *args, "--no-progress", stdout=out)
        return out.getvalue()

    @override_settings(SEARCH_INDEXER="worker")
    def test_an_indexer_killed_mid_commit_loses_no_committed_change(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            import_document(BRIEFING_EN)
        indexer.drain()
        with self.captureOnCommitCallbacks(execute=True):
            ids = [import_document(MANANERA_ES).pk, import_document(KNESSET_HE).pk]
        live = get_search_backend().live_dir()  # type: ignore[attr-defined]
        files_before = set(os.listdir(live))

        self.kill_when_reached(_commit_then_hang, transcript_documents(ids))

        # Killed after writing its segment files, before the commit's table of contents.
        self.assertTrue(set(os.listdir(live)) - files_before, "the child wrote no segment file")
        # The index opens at its last commit, its write lock died with the writer, the rows wait.
        self.assertEqual(search_turns(SearchParameters(q="tariffs")).count, 2)
        self.assertEqual(search_turns(SearchParameters(q="maestros")).count, 0)
        self.assertEqual(SearchOutbox.objects.count(), 2)
        with self.assertRaises(CommandError) as caught:
            self.check_index()
        self.assertIn("4 missing", str(caught.exception))
        self.assertIn("Repaired", self.check_index("--repair"))
        # The restarted indexer applies the surviving rows again: harmless.
        self.assertEqual(indexer.drain(wait=0), 2)
        self.assertIn("matches", self.check_index())
        self.assertEqual(search_turns(SearchParameters(q="maestros")).count, 1)

    @override_settings(SEARCH_INDEXER="worker")
    def test_a_rebuild_killed_mid_build_leaves_the_live_index_serving(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            import_document(BRIEFING_EN)
            import_document(MANANERA_ES)
        indexer.drain()
        backend = get_search_backend()
        live = backend.live_dir()  # type: ignore[attr-defined]
        with self.captureOnCommitCallbacks(execute=True):
            import_document(KNESSET_HE)  # committed while the rebuild runs: its row waits

        self.kill_when_reached(_rebuild_then_hang, list(iter_all_documents()), 2)

        self.assertEqual(backend.live_dir(), live)  # type: ignore[attr-defined]
        self.assertEqual(search_turns(SearchParameters(q="tariffs")).count, 2)
        orphans = [p for p in Path(self.index_dir).glob("gen-*") if p != live]
        self.assertEqual(len(orphans), 1, "the killed rebuild's half-built generation")
        self.assertEqual(indexer.drain(wait=0), 1)  # the live index's write lock is free again
        self.assertIn("matches", self.check_index())
        indexer.rebuild()
        self.assertIn("matches", self.check_index())
        self.assertFalse(any(p.exists() for p in orphans), "the next rebuild removes the half-built one")

    @override_settings(SEARCH_INDEXER="worker")
    def test_an_indexer_waiting_through_a_rebuild_writes_to_the_new_index(self) -> None:
        # Two backends on one directory stand for two processes: rebuild_index and run_indexer.
        with self.captureOnCommitCallbacks(execute=True):
            import_document(BRIEFING_EN)
        indexer.drain()
        params = {"PATH": self.index_dir, "PROCS": 1}
        rebuilder, worker = WhooshBackend("default", params), WhooshBackend("default", params)
        building, finish = threading.Event(), threading.Event()

        def held(documents: list[IndexDocument]) -> Iterator[IndexDocument]:
            for n, doc in enumerate(documents):
                if n == 1:
                    building.set()
                    finish.wait(30)
                yield doc

        rebuild = threading.Thread(target=rebuilder.rebuild, args=(held(list(iter_all_documents())),))
        rebuild.start()
        self.assertTrue(building.wait(30))
        with self.captureOnCommitCallbacks(execute=True):
            change = transcript_documents([import_document(MANANERA_ES).pk])  # committed during the rebuild
        applied: list[int] = []
        apply = threading.Thread(target=lambda: applied.append(worker.apply(lambda: change, wait=30)))
        apply.start()
        while not worker.store._write_lock.locked():  # in its writer: it waits for the old generation's lock
            time.sleep(0.01)
        time.sleep(0.3)
        finish.set()
        rebuild.join(30)
        apply.join(30)
        self.assertEqual(applied, [2])
        # The change is in the live index, not in the old generation the swap left behind.
        self.assertEqual(search_turns(SearchParameters(q="educacion")).count, 1)
        self.assertIn("matches", self.check_index())

    @override_settings(SEARCH_INDEXER="worker")
    def test_a_killed_rebuilds_build_workers_die_with_it(self) -> None:
        # Whoosh's build workers wait on their job queue: unless tied to the rebuild, they
        # outlive its SIGKILL without a parent, each holding up to REBUILD_LIMITMB.
        self.use_procs(2)
        with self.captureOnCommitCallbacks(execute=True):
            import_document(BRIEFING_EN)
            import_document(MANANERA_ES)
        indexer.drain()
        # Whoosh starts a worker per job of 100 documents, up to PROCS: stop after the second job.
        workers = self.kill_when_reached(_rebuild_then_hang, list(iter_all_documents()), 250)
        self.assertEqual(len(workers), 2, "the rebuild's two build workers")
        deadline = time.monotonic() + 5
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        lingering = [pid for pid in workers if alive(pid)]
        for pid in lingering:
            kill(pid)
        self.assertEqual(lingering, [], "build workers outlived their rebuild")
        self.assertIn("matches", self.check_index())

    @override_settings(SEARCH_INDEXER="worker")
    def test_a_failed_rebuild_stops_its_build_workers(self) -> None:
        self.use_procs(2)
        with self.captureOnCommitCallbacks(execute=True):
            import_document(BRIEFING_EN)
        documents = list(iter_all_documents())

        def failing() -> Iterator[IndexDocument]:
            for n, doc in enumerate(cycle(documents)):
                if n == 250:  # both workers have a job by now
                    raise RuntimeError("the database went away")
                yield doc

        with self.assertRaises(RuntimeError):
            get_search_backend().rebuild(failing())
        lingering = multiprocessing.active_children()
        for process in lingering:  # left waiting for work, they would hang this process's exit
            process.kill()
        self.assertEqual(lingering, [])

    def test_searchers_reopening_during_commits_never_raise(self) -> None:
        # Whoosh lists the directory for the newest table of contents, then opens it; a commit
        # in between deleted it and searcher() raised FileNotFoundError (HTTP 500 under load).
        with self.captureOnCommitCallbacks(execute=True):
            documents = transcript_documents([import_document(BRIEFING_EN).pk])
        backend = get_search_backend()
        backend.apply(lambda: documents, wait=10)
        turns = backend.count()
        writer = FORK.Process(target=_commit_repeatedly, args=(documents, 200))
        errors: list[BaseException] = []
        opened = [0]

        def search() -> None:
            while writer.is_alive():
                try:
                    self.assertEqual(backend.count(), turns)
                    opened[0] += 1
                except BaseException as exc:  # any of them is the failure
                    errors.append(exc)

        writer.start()
        threads = [threading.Thread(target=search) for _ in range(2)]  # a searcher per thread
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        writer.join(120)
        self.assertEqual(writer.exitcode, 0)
        self.assertEqual(errors[:3], [], f"{len(errors)} of {opened[0] + len(errors)} searches raised")
        self.assertGreater(opened[0], 200)
