"""The index on disk: generations, the live link, the write lock and the waiting flock.

Layout under PATH: `live` is a symlink to the current generation directory (`gen-<ns>`),
each a complete Whoosh index. A rebuild writes a new generation beside the live one and
swaps the link with one atomic rename, so searches never see a half-built index.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from whoosh import index as wi
from whoosh.index import EmptyIndexError, LockError
from whoosh.reading import SegmentReader
from whoosh.writing import IndexWriter

from archive.search.backends.whoosh.schema import build_schema
from archive.search.errors import IndexBusy

LIVE = "live"
WAITING = "waiting.lock"  # under PATH: flock held by a rebuild (or clear) waiting for the write lock


class IndexStore:
    """The generations under one PATH and the writers of the live one (one store per backend)."""

    def __init__(self, root: Path, limitmb: int) -> None:
        self.root = root
        self.limitmb = limitmb
        self._write_lock = threading.Lock()  # one writer per process; the file lock covers processes

    def live_dir(self) -> Path | None:
        try:
            return self.root / os.readlink(self.root / LIVE)
        except OSError:
            return None

    def ensure_live(self) -> Path:
        live = self.live_dir()
        if live is not None and open_index(live) is not None:
            return live
        self.root.mkdir(parents=True, exist_ok=True)
        generation = self.new_generation()
        self.swap(generation)
        return generation

    def new_generation(self) -> Path:
        generation = self.root / f"gen-{time.time_ns()}"
        generation.mkdir(parents=True)
        wi.create_in(str(generation), build_schema())
        return generation

    def swap(self, generation: Path) -> None:
        previous = self.live_dir()
        temp_link = self.root / f".live-{os.getpid()}-{threading.get_ident()}"
        temp_link.unlink(missing_ok=True)
        os.symlink(generation.name, temp_link)
        os.replace(temp_link, self.root / LIVE)  # atomic: readers see the old or the new index
        keep = {generation.name, previous.name if previous else ""}
        for old in self.root.glob("gen-*"):
            # The previous generation stays one swap longer for searchers still reading it.
            if old.name not in keep and old.name < generation.name:
                shutil.rmtree(old, ignore_errors=True)

    @contextmanager
    def writer(self, wait: float, directory: Path | None = None) -> Iterator[IndexWriter]:
        acquired = self._write_lock.acquire(timeout=wait) if wait > 0 else self._write_lock.acquire(False)
        if not acquired:
            raise IndexBusy("another thread of this process is writing the index")
        try:
            deadline = time.monotonic() + wait
            while True:
                if directory is None:
                    self._yield_to_waiting(deadline)
                target = directory or self.ensure_live()
                ix = open_index(target)
                if ix is None:
                    raise EmptyIndexError(f"{target} holds no index")
                try:
                    # A writer replacing the whole index says it waits, or it would rarely get the
                    # lock from an indexer working through a backlog: that takes it again at once.
                    with self._waiting(deadline) if directory is not None else nullcontext():
                        writer = ix.writer(timeout=max(deadline - time.monotonic(), 0), limitmb=self.limitmb)
                except LockError as exc:
                    raise IndexBusy("another process is writing the index") from exc
                # A rebuild swaps the live link before it lets go of the old generation's lock:
                # a writer that waited for that lock must follow the link, or its changes are lost.
                # So must a rebuild that waited for another one: the lock of a replaced generation
                # keeps no writer off the live one, and its own swap would delete that generation
                # from under its writer.
                live = self.live_dir()
                if live == target or (live is None and directory is not None):
                    break
                writer.cancel()
                if directory is not None:
                    directory = live
            try:
                yield writer
            except BaseException:
                writer.cancel()
                raise
            else:
                if not writer.is_closed:
                    writer.commit()
        finally:
            self._write_lock.release()

    @contextmanager
    def _waiting(self, deadline: float) -> Iterator[None]:
        """Hold the WAITING flock: until this writer has the write lock, the others let it go first.

        A flock, not a file: it goes with its process, so a killed rebuild holds up nobody.
        """
        fd = os.open(self.root / WAITING, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            # Exclusive: taken only while no other process waits or looks (a look takes a moment).
            while not _flock(fd, fcntl.LOCK_EX):
                if time.monotonic() >= deadline:
                    raise IndexBusy("another rebuild is waiting for the index")
                time.sleep(0.01)
            yield
        finally:
            os.close(fd)  # releases the flock

    def _yield_to_waiting(self, deadline: float) -> None:
        """Between batches: while a rebuild waits for the write lock, leave the lock to it."""
        while True:
            try:
                fd = os.open(self.root / WAITING, os.O_RDONLY)
            except FileNotFoundError:
                return
            try:
                if _flock(fd, fcntl.LOCK_SH):  # free: nobody waits
                    return
            finally:
                os.close(fd)
            if time.monotonic() >= deadline:
                raise IndexBusy("a rebuild is waiting for the index")
            time.sleep(0.05)


def merge_segments_with_deletions(writer: Any, segments: list[Any]) -> list[Any]:
    """A Whoosh merge policy: rewrite every segment that holds deleted documents, keep the others."""
    kept = []
    for segment in segments:
        if segment.has_deletions():
            reader = SegmentReader(writer.storage, writer.schema, segment)
            writer.add_reader(reader)
            reader.close()
        else:
            kept.append(segment)
    return kept


def _flock(fd: int, operation: int) -> bool:
    """Take a flock without blocking; False when another process holds a conflicting one."""
    try:
        fcntl.flock(fd, operation | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def open_index(directory: Path, attempts: int = 20) -> wi.FileIndex | None:
    """The Whoosh index in `directory` at its latest commit; None if it holds none.

    Whoosh finds the newest table of contents by listing the directory, then opens it: a
    commit in another process landing in between deletes that file (FileNotFoundError, a
    500 under load). The next listing finds the new one, so read again.
    """
    for attempt in range(attempts):
        try:
            return wi.open_dir(str(directory))
        except EmptyIndexError:
            return None
        except FileNotFoundError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.005 * (attempt + 1))
    return None
