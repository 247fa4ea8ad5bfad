"""Writing a whole new generation: the documents analysed and indexed by worker processes."""

from __future__ import annotations

import ctypes
import os
import signal
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from whoosh import index as wi
from whoosh.multiproc import SubWriterTask

from archive.search.backends.base import ProgressCallback
from archive.search.backends.whoosh.internals import TaskWriter
from archive.search.backends.whoosh.schema import whoosh_fields
from archive.search.documents import IndexDocument


def write_generation(
    generation: Path,
    documents: Iterable[IndexDocument],
    procs: int,
    limitmb: int,
    progress: ProgressCallback | None = None,
) -> int:
    """Index `documents` into the empty index in `generation`; the number written."""
    count = 0
    ix = wi.open_dir(str(generation))
    # Analysis is the cost of a build: spread it over the CPUs (one segment per process).
    if procs > 1:
        writer = _BuildWriter(ix, procs=procs, limitmb=limitmb, multisegment=True)
    else:
        writer = ix.writer(limitmb=limitmb)
    try:
        for doc in documents:
            writer.add_document(**whoosh_fields(doc))
            count += 1
            if progress is not None:
                progress(1)
    except BaseException:
        writer.cancel()
        raise
    writer.commit(optimize=True)
    return count


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class _BuildWorker(SubWriterTask):  # type: ignore[misc]
    """A Whoosh build worker that dies with the rebuild that started it.

    Workers wait on their job queue: when a rebuild was SIGKILLed they lived on without a
    parent, each holding up to REBUILD_LIMITMB. Now the kernel kills them with it (Linux:
    Whoosh forks them, multiprocessing's default there, so the rebuild is their parent).
    """

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.rebuild_pid = os.getpid()

    def run(self) -> None:
        prctl = getattr(ctypes.CDLL(None, use_errno=True), "prctl", None)  # None: not Linux
        if prctl is not None:
            prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getppid() != self.rebuild_pid:  # the rebuild died before that took effect
                os._exit(1)
        super().run()


class _BuildWriter(TaskWriter):
    """Whoosh's multiprocessing writer with workers that end with the rebuild, killed or failed."""

    task_class = _BuildWorker

    def cancel(self) -> None:
        # Whoosh's cancel only flags its own copies of the workers: left waiting for jobs, they
        # would outlive a failed build and hang this process's exit (multiprocessing joins them).
        try:
            for task in self.tasks:
                task.kill()
                task.join()
        finally:
            super().cancel()
