"""`benchmark_search --backends whoosh,postgres`: the same corpus and query mix through each backend.

The corpus is imported once (into the PostgreSQL database of --pg-url when a backend needs it);
then each backend rebuilds the index and times the query mix through the API, and, with
--load-seconds, serves concurrent clients through gunicorn. Their figures are printed side by side.
"""

from __future__ import annotations

import gc
import os
import socket
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings

from archive.devtools.base import DevToolError, Write
from archive.devtools.benchmarks.options import SearchBenchmarkOptions
from archive.devtools.benchmarks.phases import run_phase, time_api, write_dump
from archive.devtools.benchmarks.queries import query_mix
from archive.devtools.measure import cpu_seconds, folder_size, percentile
from archive.devtools.reliability.load import (
    LoadFigures,
    WorkerMemory,
    finish_load,
    start_load,
    worker_memory,
)


def backends_env(backends: str, pg_url: str | None) -> dict[str, str]:
    """The child's environment for a comparison: PostgreSQL (for every backend) when one needs it."""
    names = [name.strip() for name in backends.split(",") if name.strip()]
    unknown = [name for name in names if name not in settings.SEARCH_BACKEND_NAMES]
    if unknown or not names:
        raise DevToolError(
            f"--backends: unknown {', '.join(unknown)}; use {', '.join(settings.SEARCH_BACKEND_NAMES)}"
        )
    if pg_url and pg_url.startswith(("postgres://", "postgresql://")):
        return {"DATABASE_URL": pg_url}  # (Whoosh alone too: the archive an earlier run imported there)
    if "postgres" in names:
        raise DevToolError(
            "--backends with postgres needs --pg-url postgres://... (an empty, throw-away database)"
        )
    return {}


@dataclass
class BackendFigures:
    name: str
    turns: int
    build_s: float | None  # None: the index of an earlier run, not built by this one
    build_cpu: float | None
    size_mib: float
    first_ms: list[float]
    timed_ms: list[float]
    load: LoadFigures | None = None
    workers: list[WorkerMemory] = field(default_factory=list)


def compare_backends(options: SearchBenchmarkOptions, out: Write, err: Write) -> None:
    """In the benchmark's child process: import the corpus once, then measure each backend."""
    from archive.models import Transcript

    if options.source is None or options.backends is None:
        raise DevToolError("comparing backends needs --source and --backends")
    if "import" in options.phases:
        if Transcript.objects.exists():
            raise DevToolError(
                "the benchmark imports the corpus into its database, which must be empty (a throw-away "
                f"one): {settings.DATABASES['default']['NAME']} already holds transcripts"
            )
        dump = write_dump(options.source, options.turns)
        imported = run_phase("import", dump, options, err)
        out(f"Imported {imported['turns']} turns.")
    else:  # --phases without import: the corpus an earlier run imported into this database
        out(f"Searching the {Transcript.objects.count():,} transcripts an earlier run imported.")
    mix = query_mix(options.queries)
    figures = []
    for name in (name.strip() for name in options.backends.split(",")):
        if name:
            backend = run_backend(name, mix, options.rounds, out, err, rebuild="rebuild" in options.phases)
            if options.load_seconds > 0:
                out(f"{name}: {options.clients} concurrent clients for {options.load_seconds:.0f} s ...")
                backend.load, backend.workers = serve_under_load(name, mix, options)
            figures.append(backend)
    print_side_by_side(out, figures, len(mix), options.rounds)
    print_slowest(out, figures, mix)


def run_backend(
    name: str, mix: list[dict[str, Any]], rounds: int, out: Write, err: Write, *, rebuild: bool = True
) -> BackendFigures:
    """Rebuild the index with backend `name` (unless `rebuild` is off: the index an earlier run
    built), then time the query mix through the API."""
    from archive.search import indexer
    from archive.search.backends import get_search_backend, reset_backends

    settings.SEARCH_BACKENDS = {
        "default": {"BACKEND": settings.SEARCH_BACKEND_NAMES[name], "PATH": settings.SEARCH_INDEX_DIR}
    }
    reset_backends()
    build_s = build_cpu = None
    if rebuild:
        out(f"{name}: rebuilding the index ...")
        started, cpu_started = time.perf_counter(), cpu_seconds()
        count = indexer.rebuild()
        build_s, build_cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    else:
        count = get_search_backend().count()
    gc.collect()  # the rebuild's leftovers, then as config/wsgi.py does in a web worker
    gc.freeze()
    timed = time_api(mix, rounds, err)
    size = index_mib(get_search_backend())
    return BackendFigures(name, count, build_s, build_cpu, size, timed.first, timed.repeated)


def serve_under_load(
    backend: str, mix: list[dict[str, Any]], options: SearchBenchmarkOptions
) -> tuple[LoadFigures, list[WorkerMemory]]:
    """gunicorn serving the benchmark's archive with `backend`, searched by concurrent clients.

    A first run as long as the measured one warms every worker (opening the index, reading its
    columns, loading MeCab and jieba), as a worker that has served for a while is; then the
    measured run, then each worker's memory (RSS and PSS) as it is after serving it.
    """
    from archive.devtools.reliability.clients import Client
    from archive.devtools.reliability.harness import gunicorn_command

    workdir = Path(settings.VAR_DIR)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    env = {**os.environ, "SEARCH_BACKEND": backend, "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    command = gunicorn_command(port, options.web_workers)
    with (workdir / f"gunicorn-{backend}.log").open("ab") as log:
        web = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while Client(port).get("/api/v1/search/?q=warm").status != 200:
            if web.poll() is not None or time.monotonic() > deadline:
                raise DevToolError(f"gunicorn did not serve; see {workdir / f'gunicorn-{backend}.log'}")
            time.sleep(0.5)
        paths = ["/api/v1/search/?" + urlencode(params) for params in mix]
        seconds, clients = options.load_seconds, options.clients
        finish_load(start_load(port, paths, connections=clients, seconds=seconds, workdir=workdir), seconds)
        load = finish_load(
            start_load(port, paths, connections=clients, seconds=seconds, workdir=workdir), seconds
        )
        return load, worker_memory(web.pid)
    finally:
        web.terminate()
        web.wait(60)


def index_mib(backend: Any) -> float:
    from django.db import connection

    live_dir = getattr(backend, "live_dir", None)
    if live_dir is not None:
        live = live_dir()
        return folder_size(live) / 2**20 if live else 0.0
    with connection.cursor() as cursor:  # the PostgreSQL backend: its tables and their indexes
        cursor.execute(
            "SELECT pg_total_relation_size('search_document') + pg_total_relation_size('search_term')"
        )
        return int(cursor.fetchone()[0]) / 2**20


SLOWEST_SHOWN = 8


def slowest(
    mix: list[dict[str, Any]], timed_ms: list[float], shown: int = SLOWEST_SHOWN
) -> list[tuple[str, float]]:
    """The searches of the mix whose repeated requests took longest: (the search, median ms).

    `timed_ms` holds the rounds one after the other, each in the mix's order.
    """
    per_search = [statistics.median(timed_ms[i :: len(mix)]) for i in range(len(mix))] if mix else []
    ranked = sorted(range(len(per_search)), key=per_search.__getitem__, reverse=True)[:shown]
    return [(search_label(mix[i]), per_search[i]) for i in ranked]


def search_label(params: dict[str, Any]) -> str:
    filters = " ".join(f"{name}={value}" for name, value in params.items() if name != "q")
    return " ".join(part for part in (str(params.get("q", "")), filters and f"({filters})") if part)


def print_slowest(out: Write, figures: list[BackendFigures], mix: list[dict[str, Any]]) -> None:
    for figure in figures:
        out(f"{figure.name}: slowest searches, median of the repeated rounds")
        for label, ms in slowest(mix, figure.timed_ms):
            out(f"  {ms:9,.1f} ms  {label}")


def print_side_by_side(out: Write, figures: list[BackendFigures], queries: int, rounds: int) -> None:
    width = 16

    def row(label: str, values: list[str]) -> None:
        out(f"{label:<26}" + "".join(f"{v:>{width}}" for v in values))

    out("")
    row("", [f.name for f in figures])
    row("turns indexed", [f"{f.turns:,}" for f in figures])
    row("build (wall clock)", [f"{f.build_s:,.1f} s" if f.build_s else "-" for f in figures])
    row("build rate", [f"{f.turns / f.build_s:,.0f} turns/s" if f.build_s else "-" for f in figures])
    # PostgreSQL's own work (index builds, the GIN index) is in the server's processes, not here.
    row("build CPU (not the server)", [f"{f.build_cpu:,.1f} s" if f.build_cpu else "-" for f in figures])
    row("index size", [f"{f.size_mib:,.1f} MiB" for f in figures])
    for p in (50, 95, 99):
        row(f"latency p{p} (API)", [f"{percentile(f.timed_ms, p):,.1f} ms" for f in figures])
    row("mean latency (API)", [f"{statistics.mean(f.timed_ms):,.1f} ms" for f in figures])
    for p in (50, 95):
        row(f"first request p{p}", [f"{percentile(f.first_ms, p):,.1f} ms" for f in figures])
    loaded = [f for f in figures if f.load is not None]
    if loaded:
        first = loaded[0]
        assert first.load is not None
        clients = f"{len(first.workers)} workers"
        row("concurrent throughput", [f"{f.load.per_second:,.1f} req/s" if f.load else "-" for f in figures])
        row(
            "concurrent p50 / p95",
            [f"{f.load.p50_ms:,.0f} / {f.load.p95_ms:,.0f} ms" if f.load else "-" for f in figures],
        )
        row("concurrent p99", [f"{f.load.p99_ms:,.0f} ms" if f.load else "-" for f in figures])
        row(
            "concurrent errors",
            [f"{f.load.errors:,} of {f.load.requests:,}" if f.load else "-" for f in figures],
        )
        row(
            "worker RSS (max)",
            [f"{max(w.rss_mib for w in f.workers):,.0f} MiB" if f.workers else "-" for f in figures],
        )
        row(
            "worker PSS (max)",
            [f"{max(w.pss_mib for w in f.workers):,.0f} MiB" if f.workers else "-" for f in figures],
        )
        out(
            f"concurrent: wrk's clients through gunicorn ({clients}) for {first.load.seconds:.0f} s after a "
            "warm-up run as long; PSS counts pages shared between processes (the memory-mapped index, "
            "what the workers inherited from gunicorn's master) divided among them"
        )
    out(f"queries: {queries} x {rounds} rounds, after a warm-up round (the first-request lines)")
