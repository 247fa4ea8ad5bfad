"""python manage.py benchmark_search [--turns N]: build rate, index size and API latency on the real corpus.

Runs in a throw-away SQLite database and index (a child process with its own settings), so
the archive's own data is never touched:

1. normalizes the corpus (`../shared/corpus/normalize.py --per-source 0`, 105k turns) unless
   --source names a folder of qa-archive/1 files; with --turns N beyond the corpus, documents
   are repeated under varied slugs;
2. writes them as one NDJSON dump and imports it (`import_transcripts`' path, streamed), then
   builds our index (`rebuild_index`) and a bare Whoosh index with the standard analyzer from
   the same turns, timing both; exports every transcript as NDJSON again;
3. in a fresh process standing for a web worker, times a fixed mix of queries through
   GET /api/v1/search/ (per kind of query) and the page of the longest transcript, and the same
   words on the bare index; prints p50/p95/p99, their ratio, the index sizes and memory.

The import, the rebuild, the export and the web worker each run in their own process, so each
one's peak memory is its own; import and export also report their memory at every 100,000
turns (it stays flat: both stream). The settings are production's (DEBUG off).

With --backends whoosh,postgres (and --pg-url naming an empty PostgreSQL database, where the
corpus is then imported for every backend), each backend instead rebuilds its index and runs
the same query mix through the API; their figures are printed side by side.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from archive.devtools.reliability.load import (
    LoadFigures,
    WorkerMemory,
    finish_load,
    start_load,
    worker_memory,
)

# Queries beyond the known-item ones: phrases, OR, exclusion, fields, prefixes, filters, browsing.
EXTRA_QUERIES: list[dict[str, Any]] = [
    {"q": '"press secretary"'},
    {"q": "economy OR inflation"},
    {"q": "vaccine -covid"},
    {"q": "kind:question ukraine"},
    {"q": "educacion publica"},
    {"q": "sanction*"},
    {"q": "תכניות החינוך"},
    {"q": "經濟 合作"},
    {"q": "オリンピック 準備"},
    {"q": "cooperation", "language": "zh-Hans"},
    {"q": "president", "sort": "-date"},
    {"q": "", "kind": "answer", "language": "es"},
]


def shared_dir() -> Path:
    return Path(settings.SHARED_DATA_DIR)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


class Command(BaseCommand):
    help = "Benchmark index build rate, size and API search latency against a bare Whoosh index."
    opening_ms = 0.0  # the web worker's first two searches (open the index), set by time_api

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--turns", type=int, default=None, help="index this many turns (default: all)")
        parser.add_argument("--source", type=Path, help="a folder of qa-archive/1 files (skips normalizing)")
        parser.add_argument("--queries", type=Path, help="known-item queries (default: shared/eval/dev.json)")
        parser.add_argument("--rounds", type=int, default=5, help="times the query mix is run (5)")
        parser.add_argument("--workdir", type=Path, help="keep the database and indexes here")
        parser.add_argument(
            "--backends",
            help="compare search backends side by side instead, e.g. whoosh,postgres (build, size, latency)",
        )
        parser.add_argument(
            "--pg-url", help="an empty, throw-away PostgreSQL database for --backends with postgres"
        )
        parser.add_argument(
            "--clients", type=int, default=16, help="concurrent clients per backend with --backends (16)"
        )
        parser.add_argument(
            "--load-seconds",
            type=float,
            default=30,
            help="how long the concurrent clients search with --backends (30; 0 skips that step)",
        )
        parser.add_argument(
            "--web-workers", type=int, default=3, help="gunicorn workers serving the concurrent clients (3)"
        )
        parser.add_argument("--no-bare", action="store_true", help="skip the bare Whoosh comparison")
        parser.add_argument(
            "--phases",
            type=phase_list,
            default=PHASES,
            help="run only these of import,rebuild,export,serve again in --workdir; the others' figures "
            "are those its last run kept (figures.ndjson)",
        )
        parser.add_argument("--child", action="store_true", help=argparse_hidden())
        parser.add_argument("--phase", choices=PHASES, help=argparse_hidden())

    def handle(self, *args: Any, **options: Any) -> None:
        if options["phase"]:
            # The last line of a phase's output is its figures, for the child that started it.
            self.stdout.write(json.dumps(getattr(self, f"phase_{options['phase']}")(options)))
            return
        if options["child"]:
            self.run_child(options)
            return
        workdir = options["workdir"] or Path(tempfile.mkdtemp(prefix="qa-benchmark-"))
        workdir.mkdir(parents=True, exist_ok=True)
        try:
            if options["phases"] != PHASES and not options["workdir"]:
                raise CommandError("--phases reruns steps of an earlier run: give its --workdir")
            importing = "import" in options["phases"]
            source = options["source"] or (self.normalize(workdir) if importing else workdir)
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
            command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "benchmark_search"]
            command += ["--child", "--source", str(source), "--rounds", str(options["rounds"])]
            if options["turns"]:
                command += ["--turns", str(options["turns"])]
            if options["queries"]:
                command += ["--queries", str(options["queries"])]
            if options["no_bare"]:
                command += ["--no-bare"]
            command += ["--phases", ",".join(options["phases"])]
            if options["backends"]:
                if options["load_seconds"] > 0 and not shutil.which("wrk"):
                    raise CommandError("wrk is missing: make reliability-deps (or --load-seconds 0)")
                command += ["--backends", options["backends"]]
                command += [
                    "--clients",
                    str(options["clients"]),
                    "--load-seconds",
                    str(options["load_seconds"]),
                ]
                command += ["--web-workers", str(options["web_workers"])]
                env.update(backends_env(options["backends"], options["pg_url"]))
            result = subprocess.run(command, env=env, check=False)
            if result.returncode:
                raise CommandError(f"the benchmark failed (exit {result.returncode})")
        finally:
            if not options["workdir"]:
                shutil.rmtree(workdir, ignore_errors=True)

    def normalize(self, workdir: Path) -> Path:
        script = shared_dir() / "corpus" / "normalize.py"
        if not script.exists():
            raise CommandError(f"no corpus: {script} is missing (or pass --source FOLDER)")
        out = workdir / "corpus"
        self.stdout.write(f"Normalizing the whole corpus into {out} ...")
        subprocess.run(
            [
                sys.executable,
                str(script),
                "--per-source",
                "0",
                "--out",
                str(out),
                "--stats",
                str(workdir / "stats.json"),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return out

    # -- in the child process, on the throw-away database -------------------------------------------

    def run_child(self, options: dict[str, Any]) -> None:
        call_command("migrate", verbosity=0)
        if options["backends"]:
            compare_backends(self, options)
            return
        dump = Path(settings.VAR_DIR) / "import.ndjson"
        if "import" in options["phases"]:
            dump = self.write_dump(options["source"], options["turns"])

        imported = self.run_phase("import", dump, options)
        self.stdout.write(f"Imported {imported['turns']} turns.")

        built = self.run_phase("rebuild", dump, options)
        count, ours_s, ours_cpu = built["count"], built["seconds"], built["cpu"]
        live = Path(settings.SEARCH_INDEX_DIR) / os.readlink(Path(settings.SEARCH_INDEX_DIR) / "live")

        bare_dir = Path(settings.VAR_DIR) / "bare-index"
        if not options["no_bare"]:
            started, cpu_started = time.perf_counter(), cpu_seconds()
            bare_count = build_bare(bare_dir)
            bare_s, bare_cpu = time.perf_counter() - started, cpu_seconds() - cpu_started

        exported = self.run_phase("export", Path(settings.VAR_DIR) / "export.ndjson", options)
        served = self.run_phase("serve", dump, options)
        mix = self.query_mix(options["queries"])
        first_ms, ours_ms = served["first"], served["timings"]
        bare_ms = [] if options["no_bare"] else time_bare(bare_dir, mix, options["rounds"])

        self.stdout.write("")
        self.stdout.write(f"turns indexed          {count:,}")
        self.stdout.write(
            f"import (NDJSON)        {imported['turns'] / imported['seconds']:,.0f} turns/s "
            f"({imported['documents']:,} documents, {imported['seconds']:,.1f} s; "
            f"CPU {imported['cpu']:,.1f} s, "
            f"{imported['turns'] / imported['cpu']:,.0f} turns per CPU second)"
        )
        ours_rate = count / ours_s
        if options["no_bare"]:
            self.stdout.write(f"build rate             {ours_rate:,.0f} turns/s ({ours_s:,.1f} s)")
            self.stdout.write(
                f"build CPU              {ours_cpu:,.1f} s, {count / ours_cpu:,.0f} turns per CPU second"
            )
        else:
            bare_rate = bare_count / bare_s
            self.stdout.write(
                f"build rate             {ours_rate:,.0f} turns/s ({ours_s:,.1f} s; bare standard-analyzer "
                f"Whoosh: {bare_rate:,.0f} turns/s; ratio {ours_rate / bare_rate:.2f})"
            )
            # CPU time (this process and the rebuild's subprocesses) does not depend on what else
            # the machine runs, which the wall-clock rates above do.
            ours_cpu_rate, bare_cpu_rate = count / ours_cpu, bare_count / bare_cpu
            self.stdout.write(
                f"build CPU              {ours_cpu:,.1f} s, {ours_cpu_rate:,.0f} turns per CPU second (bare: "
                f"{bare_cpu:,.1f} s, {bare_cpu_rate:,.0f}; ratio {ours_cpu_rate / bare_cpu_rate:.2f})"
            )
        ours_mib = folder_size(live) / 2**20
        bare_size = "" if options["no_bare"] else f" (bare: {folder_size(bare_dir) / 2**20:,.1f} MiB)"
        self.stdout.write(f"index size             {ours_mib:,.1f} MiB{bare_size}")
        self.stdout.write(
            f"export (NDJSON)        {exported['turns'] / exported['seconds']:,.0f} turns/s "
            f"({exported['documents']:,} documents, {exported['bytes'] / 2**20:,.1f} MiB, "
            f"{exported['seconds']:,.1f} s; CPU {exported['cpu']:,.1f} s, "
            f"{exported['turns'] / exported['cpu']:,.0f} turns per CPU second)"
        )
        self.stdout.write(
            f"queries                {len(mix)}, once each, then {options['rounds']} repeated rounds"
        )
        # The target's figure: each search's first request, with nothing kept for it (matches,
        # facet counts); the web worker has opened the index with one search outside the mix.
        self.stdout.write(
            "first request          API "
            + "   ".join(f"p{p} {percentile(first_ms, p):.1f} ms" for p in (50, 95, 99))
            + f"   mean {statistics.mean(first_ms):.1f} ms"
        )
        # Every request counts the facets (speaker, topic, language, kind, year) of its matches.
        by_kind: dict[str, list[float]] = {}
        for params, ms in zip(mix, first_ms, strict=True):
            by_kind.setdefault(query_kind(params), []).append(ms)
        for kind, values in sorted(by_kind.items()):
            self.stdout.write(
                f"  {kind:<20} {len(values):>3} queries   "
                + "   ".join(f"p{p} {percentile(values, p):6.1f} ms" for p in (50, 95, 99))
            )
        # The rounds repeat the mix, so they reuse what the searcher keeps per search.
        for p in (50, 95, 99):
            ours = percentile(ours_ms, p)
            if options["no_bare"]:
                self.stdout.write(f"repeated p{p:<3}         API {ours:7.1f} ms")
                continue
            bare = percentile(bare_ms, p)
            ratio = ours / max(bare, 1e-9)
            self.stdout.write(
                f"repeated p{p:<3}         API {ours:7.1f} ms   bare Whoosh {bare:7.1f} ms  ratio {ratio:.1f}"
            )
        self.stdout.write(f"repeated mean          API {statistics.mean(ours_ms):.1f} ms")
        opening = served["opening_ms"]
        self.stdout.write(f"opening the index      {opening:,.0f} ms (a web worker's first two searches)")
        # Pauses of Python's cyclic garbage collector while the mix ran: they land on whichever
        # request allocates at that moment, so they are part of the latencies above.
        pauses = served["gc_ms"]
        full = [ms for generation, ms in pauses if generation == 2]
        in_all = sum(ms for _, ms in pauses)
        self.stdout.write(
            f"garbage collector      {len(pauses):,} collections, {in_all:,.0f} ms in all; "
            f"{len(full)} full, longest {max(full, default=0.0):,.0f} ms"
        )
        page = served["page"]
        self.stdout.write(
            f"longest transcript     {page['turns']:,} turns: page {page['first_ms']:,.0f} ms the first "
            f"time, {page['median_ms']:,.0f} ms after (median of {page['runs']})"
        )
        self.stdout.write(
            f"peak memory (RSS)      import {imported['peak_mib']:,.0f} MiB, rebuild "
            f"{built['peak_mib']:,.0f} MiB (largest worker {built['children_peak_mib']:,.0f} MiB), export "
            f"{exported['peak_mib']:,.0f} MiB, web worker {served['peak_mib']:,.0f} MiB"
        )
        for name, figures in (("import", imported), ("export", exported)):
            marks = ", ".join(f"{int(t):,} turns {mib:,.0f} MiB" for t, mib in figures["rss"].items())
            self.stdout.write(f"{name} memory (RSS)    {marks}")

    def run_phase(self, phase: str, path: Path, options: dict[str, Any]) -> dict[str, Any]:
        """One step in a process of its own: its memory and CPU are its own."""
        kept = Path(settings.VAR_DIR) / "figures.ndjson"
        if phase not in options["phases"]:
            # Not run again: the figures this workdir's last run of the step kept.
            lines = kept.read_text(encoding="utf-8").splitlines() if kept.exists() else []
            earlier = [figures for figures in map(json.loads, lines) if figures["phase"] == phase]
            if not earlier:
                raise CommandError(f"{kept} has no figures of the {phase} step: run it (--phases)")
            self.stderr.write(f"{phase}: the figures of its last run ({kept})")
            return earlier[-1]  # type: ignore[no-any-return]
        command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "benchmark_search"]
        command += ["--phase", phase, "--source", str(path), "--rounds", str(options["rounds"])]
        if options["queries"]:
            command += ["--queries", str(options["queries"])]
        self.stderr.write(f"{phase} ...")
        cpu_started = cpu_seconds()
        result = subprocess.run(command, check=False, stdout=subprocess.PIPE, text=True)
        if result.returncode:
            raise CommandError(f"the {phase} step failed (exit {result.returncode})")
        figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
        figures["cpu"] = cpu_seconds() - cpu_started
        # Kept as they come: a long run's figures outlive a failure further on.
        with kept.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"phase": phase, **figures}) + "\n")
        return figures

    def write_dump(self, source: Path, limit: int | None) -> Path:
        """The documents to import, as one NDJSON file (repeated under varied slugs up to `limit` turns)."""
        files = sorted(source.glob("*.json"))
        if not files:
            raise CommandError(f"no .json documents in {source}")
        wanted = limit or sum(len(json.loads(f.read_text(encoding="utf-8"))["turns"]) for f in files)
        dump = Path(settings.VAR_DIR) / "import.ndjson"
        taken, copy = 0, 0
        with dump.open("w", encoding="utf-8") as out:
            while taken < wanted:
                for file in files:  # read again for each copy: the phases fork from this process
                    if taken >= wanted:
                        break
                    data = json.loads(file.read_text(encoding="utf-8"))
                    if copy:  # varied slugs: a repeat is a new transcript, not a replacement
                        data = {**data, "slug": f"{data['slug']}-r{copy}"}
                        if data.get("translation_of"):
                            data["translation_of"] = f"{data['translation_of']}-r{copy}"
                    taken += len(data["turns"])
                    out.write(json.dumps(data, ensure_ascii=False) + "\n")
                copy += 1
        return dump

    # -- the phases, each in its own process ------------------------------------------------------------

    def phase_import(self, options: dict[str, Any]) -> dict[str, Any]:
        from archive.importers import import_documents, read_files
        from archive.importers.base import RawDocument

        memory = MemoryMarks()
        turns = documents = 0

        def progress(raw: RawDocument, error: Any) -> None:
            nonlocal turns, documents
            if error is not None:
                self.stderr.write(f"rejected: {error}")
            elif raw.data:
                turns += len(raw.data["turns"])
                documents += 1
                bar.update(len(raw.data["turns"]))
                memory.at(turns)

        bar = tqdm(unit="turn", file=sys.stderr, disable=not sys.stderr.isatty())
        started = time.perf_counter()
        import_documents(read_files([options["source"]]), on_document=progress)
        seconds = time.perf_counter() - started
        bar.close()
        memory.end(turns)
        return {"turns": turns, "documents": documents, "seconds": seconds, **memory.figures()}

    def phase_rebuild(self, options: dict[str, Any]) -> dict[str, Any]:
        from archive.search import indexer

        bar = tqdm(total=indexer.total_turns(), unit="turn", file=sys.stderr, disable=not sys.stderr.isatty())
        started = time.perf_counter()
        count = indexer.rebuild(progress=bar.update)
        seconds = time.perf_counter() - started
        bar.close()
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        return {"count": count, "seconds": seconds, "peak_mib": peak_mib(), "children_peak_mib": children}

    def phase_export(self, options: dict[str, Any]) -> dict[str, Any]:
        from archive.exporters import get_exporter
        from archive.selectors import iterate_for_export, transcripts_for_export

        memory = MemoryMarks()
        turns = documents = size = 0
        exporter = get_exporter("ndjson")
        started = time.perf_counter()
        # What `export_transcripts --format ndjson --output FILE` does, counting as it goes.
        with open(options["source"], "w", encoding="utf-8", newline="") as out:
            for transcript in iterate_for_export(transcripts_for_export()):
                line = exporter.render(transcript)
                out.write(line)
                size += len(line.encode("utf-8"))
                documents += 1
                turns += len(transcript.turns.all())
                memory.at(turns)
        seconds = time.perf_counter() - started
        memory.end(turns)
        return {"turns": turns, "documents": documents, "bytes": size, "seconds": seconds, **memory.figures()}

    def phase_serve(self, options: dict[str, Any]) -> dict[str, Any]:
        """A web worker's work: the query mix through the API, then the longest transcript's page."""
        from django.db.models import Count
        from django.test import Client
        from django.urls import reverse

        from archive.models import Transcript

        gc.freeze()  # as config/wsgi.py does in a web worker once Django is loaded
        with GcPauses() as pauses:
            first, timings = self.time_api(self.query_mix(options["queries"]), options["rounds"])
        longest = Transcript.objects.published().annotate(n=Count("turns")).order_by("-n").first()
        page: dict[str, Any] = {"turns": 0, "first_ms": 0.0, "median_ms": 0.0, "runs": 0}
        if longest is not None:
            client, url, runs = Client(), reverse("transcript-detail", args=[longest.slug]), 5
            page_ms = []
            for _ in range(runs + 1):
                started = time.perf_counter()
                response = client.get(url)
                page_ms.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise CommandError(f"{url}: HTTP {response.status_code}")
            page = {
                "turns": longest.n,  # type: ignore[attr-defined]
                "first_ms": page_ms[0],
                "median_ms": statistics.median(page_ms[1:]),
                "runs": runs,
            }
        return {
            "first": first,
            "timings": timings,
            "opening_ms": self.opening_ms,
            "gc_ms": pauses.pauses,
            "page": page,
            "peak_mib": peak_mib(),
        }

    def query_mix(self, path: Path | None) -> list[dict[str, Any]]:
        path = path or shared_dir() / "eval" / "dev.json"
        mix = list(EXTRA_QUERIES)
        if path.exists():
            for item in json.loads(path.read_text(encoding="utf-8"))["queries"]:
                mix.append({"q": item["q"], **(item.get("filter") or {})})
        return mix

    def time_api(self, mix: list[dict[str, Any]], rounds: int) -> tuple[list[float], list[float]]:
        """(the warm-up round's timings: each search's first request, the timed rounds')."""
        from django.test import Client

        client = Client()
        # A worker's first searches open the index, load MeCab and jieba, and read the columns it
        # keeps per segment: the facets' for any search, dates and slugs for a date order.
        started = time.perf_counter()
        client.get("/api/v1/search/", {"q": "warm 準備 合作"})
        client.get("/api/v1/search/", {"q": "warm", "sort": "-date"})
        self.opening_ms = (time.perf_counter() - started) * 1000
        first: list[float] = []
        for params in mix:  # each search's first request
            started = time.perf_counter()
            client.get("/api/v1/search/", params)
            first.append((time.perf_counter() - started) * 1000)
        timings: list[float] = []
        for _ in range(rounds):
            for params in mix:
                started = time.perf_counter()
                response = client.get("/api/v1/search/", params)
                timings.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    self.stderr.write(f"{params}: HTTP {response.status_code} {response.content[:200]!r}")
        return first, timings


class GcPauses:
    """The pauses of Python's garbage collector within a `with` block: (generation, ms) each."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float]] = []
        self._started = 0.0

    def __enter__(self) -> GcPauses:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append((info["generation"], (time.perf_counter() - self._started) * 1000))


PHASES = ("import", "rebuild", "export", "serve")


def phase_list(value: str) -> tuple[str, ...]:
    """--phases: some of PHASES, comma-separated, kept in PHASES' order."""
    names = {name.strip() for name in value.split(",") if name.strip()}
    unknown = names - set(PHASES)
    if unknown or not names:
        named = ", ".join(sorted(unknown)) or repr(value)
        raise argparse.ArgumentTypeError(
            f"not steps of the benchmark: {named} (they are {', '.join(PHASES)})"
        )
    return tuple(name for name in PHASES if name in names)


MEMORY_STEP = 100_000  # turns between two memory figures


def current_rss_mib() -> float:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):  # not Linux: the peak is the best there is
        return peak_mib()
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mib() -> float:
    """This process's peak resident memory since it started (VmHWM: unlike ru_maxrss, it does
    not start from the RSS of the process that forked it)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class MemoryMarks:
    """The resident memory every MEMORY_STEP turns and at the end: flat when a step streams."""

    def __init__(self) -> None:
        self.rss: dict[int, float] = {}
        self.next = MEMORY_STEP

    def at(self, turns: int) -> None:
        if turns >= self.next:
            self.rss[self.next] = current_rss_mib()
            self.next = (turns // MEMORY_STEP + 1) * MEMORY_STEP

    def end(self, turns: int) -> None:
        self.rss[turns] = current_rss_mib()

    def figures(self) -> dict[str, Any]:
        return {"rss": self.rss, "peak_mib": peak_mib()}


def query_kind(params: dict[str, Any]) -> str:
    """What a query of the mix exercises, for latency per kind."""
    q = str(params.get("q", ""))
    filters = {k for k in params if k != "q"}
    if not q.strip():
        return "browse (filters only)"
    language = str(params.get("language", ""))
    if language and language.split("-")[0] not in ("en", "es") and q.isascii():
        return "cross-language"
    if filters or any(f"{name}:" in q for name in ("kind", "speaker", "topic", "lang")):
        return "filters"
    if '"' in q:
        return "phrase"
    if " OR " in q or q.startswith("-") or " -" in q or "*" in q:
        return "OR, NOT, prefix"
    words = len(q.split())
    return {1: "one word", 2: "two words (AND)"}.get(words, "three+ words (AND)")


def cpu_seconds() -> float:
    """User and system CPU time of this process and of its finished subprocesses."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS


def build_bare(path: Path) -> int:
    """The plain Django+Whoosh setup: the standard analyzer on every turn's text."""
    from whoosh import fields, index
    from whoosh.analysis import StandardAnalyzer

    from archive.models import TranscriptStatus, Turn

    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True), text=fields.TEXT(analyzer=StandardAnalyzer())
    )
    ix = index.create_in(str(path), schema)
    writer = ix.writer(limitmb=512)
    count = 0
    rows = Turn.objects.filter(transcript__status=TranscriptStatus.PUBLISHED).values_list("pk", "text")
    for pk, text in rows.iterator(chunk_size=2000):
        writer.add_document(id=str(pk), text=text)
        count += 1
    writer.commit()
    return count


def time_bare(path: Path, mix: list[dict[str, Any]], rounds: int) -> list[float]:
    from whoosh import index
    from whoosh.qparser import AndGroup, QueryParser

    ix = index.open_dir(str(path))
    parser = QueryParser("text", ix.schema, group=AndGroup)
    timings: list[float] = []
    with ix.searcher() as searcher:
        for round_ in range(rounds + 1):
            for params in mix:
                started = time.perf_counter()
                try:
                    results = searcher.search(parser.parse(params["q"]), limit=20)
                    [hit["id"] for hit in results]
                except Exception:
                    pass
                if round_:  # the first round warms up
                    timings.append((time.perf_counter() - started) * 1000)
    return timings


# -- --backends whoosh,postgres: the same corpus and query mix through each backend ----------------


def backends_env(backends: str, pg_url: str | None) -> dict[str, str]:
    """The child's environment for a comparison: PostgreSQL (for every backend) when one needs it."""
    names = [name.strip() for name in backends.split(",") if name.strip()]
    unknown = [name for name in names if name not in settings.SEARCH_BACKEND_NAMES]
    if unknown or not names:
        raise CommandError(
            f"--backends: unknown {', '.join(unknown)}; use {', '.join(settings.SEARCH_BACKEND_NAMES)}"
        )
    if "postgres" not in names:
        return {}
    if not pg_url or not pg_url.startswith(("postgres://", "postgresql://")):
        raise CommandError(
            "--backends with postgres needs --pg-url postgres://... (an empty, throw-away database)"
        )
    return {"DATABASE_URL": pg_url}


@dataclass
class BackendFigures:
    name: str
    turns: int
    build_s: float
    build_cpu: float
    size_mib: float
    first_ms: list[float]
    timed_ms: list[float]
    load: LoadFigures | None = None
    workers: list[WorkerMemory] = field(default_factory=list)


def compare_backends(self: Command, options: dict[str, Any]) -> None:
    from archive.models import Transcript

    if Transcript.objects.exists():
        raise CommandError(
            "the benchmark imports the corpus into its database, which must be empty (a throw-away one): "
            f"{settings.DATABASES['default']['NAME']} already holds transcripts"
        )
    dump = self.write_dump(options["source"], options["turns"])
    imported = self.run_phase("import", dump, options)
    self.stdout.write(f"Imported {imported['turns']} turns.")
    mix = self.query_mix(options["queries"])
    figures = []
    for name in (name.strip() for name in options["backends"].split(",")):
        if name:
            backend = run_backend(self, name, mix, options["rounds"])
            if options["load_seconds"] > 0:
                self.stdout.write(
                    f"{name}: {options['clients']} concurrent clients for {options['load_seconds']:.0f} s ..."
                )
                backend.load, backend.workers = serve_under_load(name, mix, options)
            figures.append(backend)
    print_side_by_side(self, figures, len(mix), options["rounds"])


def run_backend(self: Command, name: str, mix: list[dict[str, Any]], rounds: int) -> BackendFigures:
    """Rebuild the index with backend `name`, then time the query mix through the API."""
    from archive.search import indexer
    from archive.search.backends import get_search_backend, reset_backends

    settings.SEARCH_BACKENDS = {
        "default": {"BACKEND": settings.SEARCH_BACKEND_NAMES[name], "PATH": settings.SEARCH_INDEX_DIR}
    }
    reset_backends()
    self.stdout.write(f"{name}: rebuilding the index ...")
    started, cpu_started = time.perf_counter(), cpu_seconds()
    count = indexer.rebuild()
    build_s, build_cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
    gc.collect()  # the rebuild's leftovers, then as config/wsgi.py does in a web worker
    gc.freeze()
    first, timed = self.time_api(mix, rounds)
    return BackendFigures(name, count, build_s, build_cpu, index_mib(get_search_backend()), first, timed)


def serve_under_load(
    backend: str, mix: list[dict[str, Any]], options: dict[str, Any]
) -> tuple[LoadFigures, list[WorkerMemory]]:
    """gunicorn serving the benchmark's archive with `backend`, searched by concurrent clients.

    A first run as long as the measured one warms every worker (opening the index, reading its
    columns, loading MeCab and jieba), as a worker that has served for a while is; then the
    measured run, then each worker's memory (RSS and PSS) as it is after serving it.
    """
    from archive.devtools.reliability.harness import GUNICORN, Client

    workdir = Path(settings.VAR_DIR)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    env = {**os.environ, "SEARCH_BACKEND": backend, "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    command = [str(GUNICORN), "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(options["web_workers"]), "--chdir", str(settings.BASE_DIR)]
    with (workdir / f"gunicorn-{backend}.log").open("ab") as log:
        web = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while Client(port).get("/api/v1/search/?q=warm").status != 200:
            if web.poll() is not None or time.monotonic() > deadline:
                raise CommandError(f"gunicorn did not serve; see {workdir / f'gunicorn-{backend}.log'}")
            time.sleep(0.5)
        paths = ["/api/v1/search/?" + urlencode(params) for params in mix]
        seconds, clients = options["load_seconds"], options["clients"]
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


def print_side_by_side(command: Command, figures: list[BackendFigures], queries: int, rounds: int) -> None:
    out = command.stdout.write
    width = 16

    def row(label: str, values: list[str]) -> None:
        out(f"{label:<26}" + "".join(f"{v:>{width}}" for v in values))

    out("")
    row("", [f.name for f in figures])
    row("turns indexed", [f"{f.turns:,}" for f in figures])
    row("build (wall clock)", [f"{f.build_s:,.1f} s" for f in figures])
    row("build rate", [f"{f.turns / max(f.build_s, 1e-9):,.0f} turns/s" for f in figures])
    # PostgreSQL's own work (index builds, the GIN index) is in the server's processes, not here.
    row("build CPU (not the server)", [f"{f.build_cpu:,.1f} s" for f in figures])
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
