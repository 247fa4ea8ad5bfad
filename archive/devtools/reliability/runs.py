"""The production reliability runs (`manage.py reliability`, `make reliability`).

On a throw-away archive (a temp dir; SQLite, or a temp PostgreSQL database on the server of
DATABASE_URL), with gunicorn and the search indexer as `make serve` runs them:

- load: wrk's searchers (32 connections, a mix of searches in nine languages) and a curator
  writing through the API for 60 s; zero errors, latency percentiles; then the outbox drains,
  check_index finds the index identical to the database and search agrees with every write.
- faults: the indexer SIGKILLed 20 times while holding the index's write lock during live
  updates and `rebuild_index` SIGKILLed 20 times mid-build, while searchers keep searching
  (no 5xx) and a writer commits; afterwards check_index (--repair) and every write is found.
- pg-restart (PostgreSQL only): PostgreSQL really restarted while gunicorn serves; every
  request started after it is back succeeds (CONN_HEALTH_CHECKS) and writes are indexed.
"""

from __future__ import annotations

import contextlib
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from archive.devtools.base import DevToolError, Write
from archive.devtools.reliability import corpus
from archive.devtools.reliability.clients import Curator, Searchers, latency_line
from archive.devtools.reliability.harness import Sandbox, alive, children_of, holds_lock, is_postgres, kill
from archive.devtools.reliability.load import finish_load, start_load

STEPS = ("load", "faults", "pg-restart")
PG_RESTART = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main restart"


@dataclass(frozen=True)
class ReliabilityOptions:
    """The command's options: the steps to run (none: every one this database allows) and sizes."""

    steps: tuple[str, ...] = ()
    duration: float = 60  # seconds of load
    searchers: int = 32  # concurrent searchers under load
    workers: int = 3  # gunicorn workers, as make serve
    kills: int = 20  # SIGKILLs per fault phase
    transcripts: int = 200  # transcripts in the archive
    seed: int = 1
    pg_restart_command: str = PG_RESTART
    keep: bool = False  # keep the temp dir (logs, index) afterwards


def run_reliability(options: ReliabilityOptions, *, database_url: str, say: Write) -> None:
    """Run the steps, saying what each finds; DevToolError when a check fails (after all ran)."""
    unknown = set(options.steps) - set(STEPS)
    if unknown:
        raise DevToolError(f"unknown step(s) {', '.join(sorted(unknown))}; choose from {', '.join(STEPS)}")
    steps = options.steps or tuple(s for s in STEPS if s != "pg-restart" or is_postgres(database_url))
    if "pg-restart" in steps and not is_postgres(database_url):
        raise DevToolError("pg-restart needs DATABASE_URL=postgres://... (a server this machine may restart)")
    if "load" in steps and not shutil.which("wrk"):
        raise DevToolError("wrk is missing: make reliability-deps (or apt-get install wrk)")
    # Stopped by a signal, still stop gunicorn and the indexer and drop the temp database
    # (a background job from a non-interactive shell even inherits SIGINT ignored).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    run = ReliabilityRun(say, seed=options.seed)
    box = Sandbox(database_url, say, keep=options.keep)
    try:
        say(f"archive: {box.setup(options.transcripts, (10, 40))}")
        box.start_web(options.workers)
        say(f"gunicorn: {options.workers} workers on 127.0.0.1:{box.port}; index in {box.index_dir}")
        if "load" in steps:
            run.load(box, options.duration, options.searchers)
        if "faults" in steps:
            run.faults(box, options.kills)
        if "pg-restart" in steps:
            run.pg_restart(box, options.pg_restart_command)
    finally:
        box.close()
    if run.failures:
        raise DevToolError("reliability checks failed:\n- " + "\n- ".join(run.failures))
    say("\nAll reliability checks passed.")


class ReliabilityRun:
    """The steps against one sandbox; each check that fails is said at once and kept in `failures`."""

    def __init__(self, say: Write, *, seed: int) -> None:
        self.say = say
        self.failures: list[str] = []
        self.rng = random.Random(seed)

    def expect(self, ok: bool, failure: str) -> None:
        if not ok:
            self.failures.append(failure)
            self.say(f"  FAILED: {failure}")

    # -- steps ------------------------------------------------------------------------------------

    def settle(self, box: Sandbox, curator: Curator, label: str) -> None:
        """Wait for the indexer to apply everything, then compare index, database and writes."""
        self.say(f"  outbox drained {box.wait_drained():.1f} s after the last write")
        check = box.manage("check_index", "--no-progress", check=False)
        self.say(
            f"  check_index (no repair): exit {check.returncode}: {(check.stdout + check.stderr).strip()}"
        )
        self.expect(check.returncode == 0, f"{label}: check_index found the index differs from the database")
        wrong = curator.verify(box.client())
        self.say(
            f"  search agrees with the curator's committed writes: "
            f"{curator.checked() - len(wrong)}/{curator.checked()} markers"
        )
        for line in wrong[:10]:
            self.say(f"    {line}")
        self.expect(not wrong, f"{label}: {len(wrong)} committed changes not as search shows them")

    def load(self, box: Sandbox, duration: float, searchers: int) -> None:
        self.say(f"\n== Load: {searchers} searchers (wrk) and a curator (API writes) for {duration:.0f} s")
        indexer = box.start_indexer()
        paths = corpus.search_paths()
        client = box.client()
        bad = [f"{p}: {a.status}" for p in paths if (a := client.get(p)).status != 200]
        self.expect(not bad, f"load: warm-up searches failed: {bad[:5]}")
        wrk = start_load(box.port, paths, connections=searchers, seconds=duration, workdir=box.root)
        curator = Curator(box.port, box.token, seed=11)
        curator.run_for(duration)
        w = finish_load(wrk, duration)
        errors = w.errors
        self.say(
            f"  searches: {w.requests} in {w.seconds:.0f} s ({w.per_second:.1f}/s) over "
            f"{len(paths)} distinct searches in {len(corpus.QUERIES)} languages, {errors} errors "
            f"(non-2xx/3xx {w.status}, connect {w.connect}, read {w.read}, timeout {w.timeout}); "
            f"p50 {w.p50_ms:.0f} ms, p95 {w.p95_ms:.0f} ms, p99 {w.p99_ms:.0f} ms, max {w.max_ms:.0f} ms"
        )
        self.say(f"  curator: {curator.summary()}")
        for error in curator.errors[:5]:
            self.say(f"    {error}")
        self.expect(errors == 0, f"load: {errors} search errors")
        self.expect(not curator.errors, f"load: {len(curator.errors)} curator errors")
        self.settle(box, curator, "load")
        box.stop(indexer)

    def faults(self, box: Sandbox, kills: int) -> None:
        self.say(
            f"\n== Faults: run_indexer SIGKILLed {kills} times mid-write, "
            f"rebuild_index {kills} times mid-build"
        )
        searchers = Searchers(box.port, 2, corpus.search_paths()).start()
        # Larger transcripts than under load: each indexer commit takes long enough to be hit.
        curator = Curator(box.port, box.token, turns=(20, 60), seed=12, pause=0.2)
        writer = curator.start()

        # 1. Live updates: kill the indexer while it holds the write lock with changes waiting,
        # every other time while it adds documents and, the others, once its commit writes postings.
        landed: Counter[str] = Counter()
        for n in range(kills):
            indexer = box.start_indexer()
            landed[self._kill_writing(box, indexer, committing=bool(n % 2))] += 1
            time.sleep(self.rng.uniform(0, 0.5))
        self.say(
            f"  live updates: {kills} SIGKILLs of run_indexer: "
            + ", ".join(f"{count} {where}" for where, count in landed.most_common())
        )

        # 2. Rebuilds: kill rebuild_index while it builds the new generation; the indexer stays up.
        # At most 15 s into the build: on a busy machine a build takes minutes.
        indexer = box.start_indexer()
        build = self._time_rebuild(box)
        mid, finished, busy, orphans = 0, 0, 0, 0
        while mid < kills:
            if indexer.poll() is not None:
                indexer = box.start_indexer()
            before = set(box.generations())
            rebuild = box.spawn_manage("rebuild_index", "rebuild_index", "--no-progress", "--wait", "120")
            while rebuild.poll() is None and not set(box.generations()) - before:
                time.sleep(0.005)
            time.sleep(self.rng.uniform(0, min(0.95 * build, 15)))
            if rebuild.poll() is not None:  # done before the kill came, or gave up waiting for the lock
                finished += rebuild.returncode == 0
                busy += rebuild.returncode != 0
                continue
            workers = children_of(rebuild.pid)
            kill(rebuild.pid)
            rebuild.wait()
            mid += 1
            time.sleep(1)
            lingering = [pid for pid in workers if alive(pid)]
            orphans += len(lingering)
            for pid in lingering:  # a safety net: the build workers die with their rebuild
                kill(pid)
        self.say(
            f"  rebuilds: one whole rebuild builds for {build:.1f} s; {mid} SIGKILLs mid-build "
            f"({finished} rebuilds finished before their kill came, {busy} gave up waiting for the "
            "indexer's write lock); "
            f"{orphans} build workers outlived their parent"
        )
        self.expect(orphans == 0, f"faults: {orphans} build workers outlived their SIGKILLed rebuild")
        self.expect(busy == 0, f"faults: {busy} rebuilds gave up waiting for the indexer's write lock")
        curator.stop()
        writer.join()
        searchers.stop()
        self.say(f"  writer: {curator.summary()}")
        for error in curator.errors[:5]:
            self.say(f"    {error}")
        self.expect(not curator.errors, f"faults: {len(curator.errors)} write errors")
        self.settle(box, curator, "faults")
        box.stop(indexer)
        server_errors = [a for a in searchers.answers if a[2] >= 500 or a[2] == 0]
        self.say(f"  searchers meanwhile: {searchers.summary()}")
        self.expect(not server_errors, f"faults: {len(server_errors)} searches failed (5xx or no answer)")
        self.expect(not searchers.failures(), f"faults: {len(searchers.failures())} searches were not 2xx")
        repair = box.manage("check_index", "--repair", "--no-progress", check=False)
        after = box.manage("check_index", "--no-progress", check=False)
        self.say(
            f"  check_index --repair: exit {repair.returncode}; check_index then: exit {after.returncode}"
        )
        self.expect(
            repair.returncode == 0 and after.returncode == 0, "faults: check_index --repair did not mend"
        )
        live = box.live_dir()
        stray = [g for g in box.generations() if live is None or g != live.name]
        self.say(f"  index generations left beside the live one: {len(stray)}")

    def _kill_writing(self, box: Sandbox, indexer: subprocess.Popen[bytes], committing: bool) -> str:
        """SIGKILL the indexer mid-write (or, with `committing`, mid-commit); says where it landed."""
        deadline = time.monotonic() + 120
        seen: dict[str, int] | None = None  # the index's files when the write lock was first held
        live = box.live_dir()
        while time.monotonic() < deadline and indexer.poll() is None:
            live = box.live_dir()
            if seen is None:
                if holds_lock(indexer.pid, live) and box.outbox_count():
                    seen = segment_files(live)
                    if not committing:
                        time.sleep(self.rng.uniform(0, 0.3))
                        break
            elif _writing_postings(seen, segment_files(live)) or not holds_lock(indexer.pid, live):
                break
            time.sleep(0.002)
        postings = seen is not None and _writing_postings(seen, segment_files(live))
        held = holds_lock(indexer.pid, live)
        kill(indexer.pid)
        indexer.wait()
        if not held:
            return "after its write (missed)"
        return "mid-commit (writing postings)" if postings else "mid-write (adding documents)"

    def _time_rebuild(self, box: Sandbox) -> float:
        """Seconds one uninterrupted rebuild spends building (new generation made until the swap)."""
        before = set(box.generations())
        live = box.live_dir()
        rebuild = box.spawn_manage("rebuild_index", "rebuild_index", "--no-progress", "--wait", "120")
        started = swapped = 0.0
        while rebuild.poll() is None or not swapped:
            now = time.monotonic()
            if not started and set(box.generations()) - before:
                started = now
            if started and not swapped and box.live_dir() != live:
                swapped = now
            if rebuild.poll() is not None and not swapped:
                swapped = now
            time.sleep(0.005)
        if rebuild.returncode:
            raise DevToolError(f"rebuild_index failed; see {box.logs / 'rebuild_index.log'}")
        return max(swapped - started, 0.1)

    def pg_restart(self, box: Sandbox, command: str) -> None:
        self.say("\n== PostgreSQL restart while gunicorn serves (CONN_MAX_AGE=60, CONN_HEALTH_CHECKS)")
        indexer = box.start_indexer()
        searchers = Searchers(box.port, 4, corpus.search_paths()).start()
        time.sleep(5)  # every worker holds a persistent connection by now
        started = time.monotonic()
        done = subprocess.run(command, shell=True, capture_output=True, text=True)
        back = time.monotonic()
        self.say(f"  `{command}`: exit {done.returncode} in {back - started:.1f} s {done.stderr.strip()}")
        self.expect(done.returncode == 0, "pg-restart: the restart command failed")
        curator = Curator(box.port, box.token, seed=13)
        curator.run(lambda: len(curator.latencies.get("POST", [])) >= 5)
        time.sleep(5)
        searchers.stop()
        during = [a for a in searchers.answers if started <= a[0] < back and not 200 <= a[2] < 300]
        after = searchers.failures(since=back)
        count_after = len([a for a in searchers.answers if a[0] >= back])
        self.say(f"  searches: {searchers.summary()}")
        self.say(
            f"  started while PostgreSQL restarted: {len(during)} failed; started after: "
            f"{count_after - len(after)}/{count_after} succeeded"
        )
        self.say(f"  curator after the restart: {curator.summary()}")
        self.expect(
            not after and count_after > 0, f"pg-restart: {len(after)} requests failed after the restart"
        )
        self.expect(not curator.errors, f"pg-restart: writes after the restart failed: {curator.errors[:3]}")
        self.settle(box, curator, "pg-restart")
        box.stop(indexer)
        self.say(
            "  (searches during the restart window: "
            f"{latency_line([a[1] for a in searchers.answers if started <= a[0] < back])})"
        )


def segment_files(directory: Path | None) -> dict[str, int]:
    if directory is None:
        return {}
    sizes = {}
    for path in directory.glob("MAIN_*"):
        with contextlib.suppress(OSError):
            sizes[path.name] = path.stat().st_size
    return sizes


def _writing_postings(before: dict[str, int], now: dict[str, int]) -> bool:
    """A new segment's term or postings file has content: the writer is committing."""
    return any(
        size and name not in before and name.endswith((".trm", ".pst", ".seg")) for name, size in now.items()
    )
