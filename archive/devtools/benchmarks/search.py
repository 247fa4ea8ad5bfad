"""`manage.py benchmark_search [--turns N]`: build rate, index size and API latency on the real corpus.

Runs in a throw-away SQLite database and index (a child process with its own settings), so
the archive's own data is never touched:

1. normalizes the corpus (`SHARED_DATA_DIR/corpus/normalize.py --per-source 0`, 105k turns)
   unless --source names a folder of qa-archive/1 files; with --turns N beyond the corpus,
   documents are repeated under varied slugs;
2. writes them as one NDJSON dump and imports it (`import_transcripts`' path, streamed), then
   builds our index (`rebuild_index`) and a bare Whoosh index with the standard analyzer from
   the same turns, timing both; exports every transcript as NDJSON again;
3. in a fresh process standing for a web worker, times a fixed mix of queries through
   GET /api/v1/search/ (per kind of query) and the page of the longest transcript, and the same
   words on the bare index; prints p50/p95/p99, their ratio, the index sizes and memory.

The import, the rebuild, the export and the web worker each run in their own process
(phases.py), so each one's peak memory is its own; import and export also report their memory
at every 100,000 turns (it stays flat: both stream). The settings are production's (DEBUG off).

With --backends whoosh,postgres (and --pg-url naming an empty PostgreSQL database, where the
corpus is then imported for every backend), each backend instead rebuilds its index and runs
the same query mix through the API; their figures are printed side by side (backends.py).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command

from archive.devtools.base import DevToolError, Write
from archive.devtools.benchmarks.backends import backends_env, compare_backends
from archive.devtools.benchmarks.bare import BareFigures, time_bare, timed_bare_build
from archive.devtools.benchmarks.options import COMMAND, PHASES, SearchBenchmarkOptions
from archive.devtools.benchmarks.phases import run_phase, write_dump
from archive.devtools.benchmarks.queries import query_kind, query_mix
from archive.devtools.measure import folder_size, percentile


def run_search_benchmark(options: SearchBenchmarkOptions, out: Write) -> None:
    """Prepare the throw-away workdir and run the benchmark in a child process with its settings."""
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="qa-benchmark-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        if options.phases != PHASES and not options.workdir:
            raise DevToolError("--phases reruns steps of an earlier run: give its --workdir")
        importing = "import" in options.phases
        source = options.source or (normalize(workdir, out) if importing else workdir)
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{workdir / 'benchmark.sqlite3'}",
            "SEARCH_INDEX_DIR": str(workdir / "index"),
            "SEARCH_INDEXER": "worker",
            "VAR_DIR": str(workdir),
            # The benchmark is one client sending hundreds of requests: the API's rate limit
            # would answer most of them with a 429 and the timings would measure that.
            "API_THROTTLE_ANON": "",
            # Production's settings: with DEBUG on, Django logs every SQL statement it runs
            # (a sixth of an import's time). Plain HTTP and static files: the test client.
            "DEBUG": "0",
            "SECRET_KEY": "benchmark-only",
            "SECURE_SSL_REDIRECT": "0",
            "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        }
        command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), COMMAND]
        command += ["--child", "--source", str(source), "--rounds", str(options.rounds)]
        if options.turns:
            command += ["--turns", str(options.turns)]
        if options.queries:
            command += ["--queries", str(options.queries)]
        if options.no_bare:
            command += ["--no-bare"]
        command += ["--phases", ",".join(options.phases)]
        if options.backends:
            if options.load_seconds > 0 and not shutil.which("wrk"):
                raise DevToolError("wrk is missing: make reliability-deps (or --load-seconds 0)")
            command += ["--backends", options.backends]
            command += ["--clients", str(options.clients), "--load-seconds", str(options.load_seconds)]
            command += ["--web-workers", str(options.web_workers)]
            env.update(backends_env(options.backends, options.pg_url))
        result = subprocess.run(command, env=env, check=False)
        if result.returncode:
            raise DevToolError(f"the benchmark failed (exit {result.returncode})")
    finally:
        if not options.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


def normalize(workdir: Path, out: Write) -> Path:
    script = Path(settings.SHARED_DATA_DIR) / "corpus" / "normalize.py"
    if not script.exists():
        raise DevToolError(f"no corpus: {script} is missing (or pass --source FOLDER)")
    corpus = workdir / "corpus"
    out(f"Normalizing the whole corpus into {corpus} ...")
    subprocess.run(
        [
            sys.executable,
            str(script),
            "--per-source",
            "0",
            "--out",
            str(corpus),
            "--stats",
            str(workdir / "stats.json"),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return corpus


# -- in the child process, on the throw-away database ----------------------------------------------


def run_child(options: SearchBenchmarkOptions, out: Write, err: Write) -> None:
    call_command("migrate", verbosity=0)
    if options.backends:
        compare_backends(options, out, err)
        return
    dump = Path(settings.VAR_DIR) / "import.ndjson"
    if "import" in options.phases:
        if options.source is None:
            raise DevToolError("the benchmark's child needs --source")
        dump = write_dump(options.source, options.turns)

    imported = run_phase("import", dump, options, err)
    out(f"Imported {imported['turns']} turns.")

    built = run_phase("rebuild", dump, options, err)
    live = Path(settings.SEARCH_INDEX_DIR) / os.readlink(Path(settings.SEARCH_INDEX_DIR) / "live")

    bare_dir = Path(settings.VAR_DIR) / "bare-index"
    bare = None if options.no_bare else timed_bare_build(bare_dir)

    exported = run_phase("export", Path(settings.VAR_DIR) / "export.ndjson", options, err)
    served = run_phase("serve", dump, options, err)
    mix = query_mix(options.queries)
    bare_figures = None
    if bare is not None:
        bare_figures = BareFigures(
            bare, folder_size(bare_dir) / 2**20, time_bare(bare_dir, mix, options.rounds)
        )
    print_figures(
        out,
        imported=imported,
        built=built,
        exported=exported,
        served=served,
        mix=mix,
        rounds=options.rounds,
        index_mib=folder_size(live) / 2**20,
        bare=bare_figures,
    )


def print_figures(
    out: Write,
    *,
    imported: dict[str, Any],
    built: dict[str, Any],
    exported: dict[str, Any],
    served: dict[str, Any],
    mix: list[dict[str, Any]],
    rounds: int,
    index_mib: float,
    bare: BareFigures | None,
) -> None:
    """The report of one backend against the bare index: the figures of each step."""
    count, ours_s, ours_cpu = built["count"], built["seconds"], built["cpu"]
    out("")
    out(f"turns indexed          {count:,}")
    out(
        f"import (NDJSON)        {imported['turns'] / imported['seconds']:,.0f} turns/s "
        f"({imported['documents']:,} documents, {imported['seconds']:,.1f} s; "
        f"CPU {imported['cpu']:,.1f} s, "
        f"{imported['turns'] / imported['cpu']:,.0f} turns per CPU second)"
    )
    ours_rate = count / ours_s
    if bare is None:
        out(f"build rate             {ours_rate:,.0f} turns/s ({ours_s:,.1f} s)")
        out(f"build CPU              {ours_cpu:,.1f} s, {count / ours_cpu:,.0f} turns per CPU second")
    else:
        build = bare.build
        bare_rate = build.turns / build.seconds
        out(
            f"build rate             {ours_rate:,.0f} turns/s ({ours_s:,.1f} s; bare standard-analyzer "
            f"Whoosh: {bare_rate:,.0f} turns/s; ratio {ours_rate / bare_rate:.2f})"
        )
        # CPU time (this process and the rebuild's subprocesses) does not depend on what else
        # the machine runs, which the wall-clock rates above do.
        ours_cpu_rate, bare_cpu_rate = count / ours_cpu, build.turns / build.cpu
        out(
            f"build CPU              {ours_cpu:,.1f} s, {ours_cpu_rate:,.0f} turns per CPU second (bare: "
            f"{build.cpu:,.1f} s, {bare_cpu_rate:,.0f}; ratio {ours_cpu_rate / bare_cpu_rate:.2f})"
        )
    bare_size = "" if bare is None else f" (bare: {bare.size_mib:,.1f} MiB)"
    out(f"index size             {index_mib:,.1f} MiB{bare_size}")
    out(
        f"export (NDJSON)        {exported['turns'] / exported['seconds']:,.0f} turns/s "
        f"({exported['documents']:,} documents, {exported['bytes'] / 2**20:,.1f} MiB, "
        f"{exported['seconds']:,.1f} s; CPU {exported['cpu']:,.1f} s, "
        f"{exported['turns'] / exported['cpu']:,.0f} turns per CPU second)"
    )
    out(f"queries                {len(mix)}, once each, then {rounds} repeated rounds")
    # The target's figure: each search's first request, with nothing kept for it (matches,
    # facet counts); the web worker has opened the index with one search outside the mix.
    first_ms, ours_ms = served["first"], served["timings"]
    out(
        "first request          API "
        + "   ".join(f"p{p} {percentile(first_ms, p):.1f} ms" for p in (50, 95, 99))
        + f"   mean {statistics.mean(first_ms):.1f} ms"
    )
    # Every request counts the facets (speaker, topic, language, kind, year) of its matches.
    by_kind: dict[str, list[float]] = {}
    for params, ms in zip(mix, first_ms, strict=True):
        by_kind.setdefault(query_kind(params), []).append(ms)
    for kind, values in sorted(by_kind.items()):
        out(
            f"  {kind:<20} {len(values):>3} queries   "
            + "   ".join(f"p{p} {percentile(values, p):6.1f} ms" for p in (50, 95, 99))
        )
    # The rounds repeat the mix, so they reuse what the searcher keeps per search.
    for p in (50, 95, 99):
        ours = percentile(ours_ms, p)
        if bare is None:
            out(f"repeated p{p:<3}         API {ours:7.1f} ms")
            continue
        bare_p = percentile(bare.timings, p)
        ratio = ours / max(bare_p, 1e-9)
        out(f"repeated p{p:<3}         API {ours:7.1f} ms   bare Whoosh {bare_p:7.1f} ms  ratio {ratio:.1f}")
    out(f"repeated mean          API {statistics.mean(ours_ms):.1f} ms")
    opening = served["opening_ms"]
    out(f"opening the index      {opening:,.0f} ms (a web worker's first two searches)")
    # Pauses of Python's cyclic garbage collector while the mix ran: they land on whichever
    # request allocates at that moment, so they are part of the latencies above.
    pauses = served["gc_ms"]
    full = [ms for generation, ms in pauses if generation == 2]
    in_all = sum(ms for _, ms in pauses)
    out(
        f"garbage collector      {len(pauses):,} collections, {in_all:,.0f} ms in all; "
        f"{len(full)} full, longest {max(full, default=0.0):,.0f} ms"
    )
    page = served["page"]
    out(
        f"longest transcript     {page['turns']:,} turns: page {page['first_ms']:,.0f} ms the first "
        f"time, {page['median_ms']:,.0f} ms after (median of {page['runs']})"
    )
    out(
        f"peak memory (RSS)      import {imported['peak_mib']:,.0f} MiB, rebuild "
        f"{built['peak_mib']:,.0f} MiB (largest worker {built['children_peak_mib']:,.0f} MiB), export "
        f"{exported['peak_mib']:,.0f} MiB, web worker {served['peak_mib']:,.0f} MiB"
    )
    for name, figures in (("import", imported), ("export", exported)):
        marks = ", ".join(f"{int(t):,} turns {mib:,.0f} MiB" for t, mib in figures["rss"].items())
        out(f"{name} memory (RSS)    {marks}")
