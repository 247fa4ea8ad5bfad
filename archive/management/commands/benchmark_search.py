"""python manage.py benchmark_search [--turns N]: build rate, index size and API latency on the real corpus.

Runs in a throw-away SQLite database and index (a child process with its own settings), so
the archive's own data is never touched:

1. normalizes the corpus (`../shared/corpus/normalize.py --per-source 0`, 105k turns) unless
   --source names a folder of qa-archive/1 files; with --turns N beyond the corpus, documents
   are repeated under varied slugs;
2. imports it, then builds our index (`rebuild_index`) and a bare Whoosh index with the
   standard analyzer from the same turns, timing both;
3. times a fixed mix of queries through GET /api/v1/search/ and the same words on the bare
   index; prints p50/p95/p99, their ratio, the index sizes and the peak memory.

With --backends whoosh,postgres (and --pg-url naming an empty PostgreSQL database, where the
corpus is then imported for every backend), each backend instead rebuilds its index and runs
the same query mix through the API; their figures are printed side by side.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

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
    for candidate in (Path(settings.BASE_DIR).parent / "shared", Path("/work/shared")):
        if candidate.is_dir():
            return candidate
    return Path(settings.BASE_DIR).parent / "shared"


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
        parser.add_argument("--child", action="store_true", help=argparse_hidden())

    def handle(self, *args: Any, **options: Any) -> None:
        if options["child"]:
            self.run_child(options)
            return
        workdir = options["workdir"] or Path(tempfile.mkdtemp(prefix="qa-benchmark-"))
        workdir.mkdir(parents=True, exist_ok=True)
        try:
            source = options["source"] or self.normalize(workdir)
            env = {
                **os.environ,
                "DATABASE_URL": f"sqlite:///{workdir / 'benchmark.sqlite3'}",
                "SEARCH_INDEX_DIR": str(workdir / "index"),
                "SEARCH_INDEXER": "worker",
                "VAR_DIR": str(workdir),
                # The benchmark is one client sending hundreds of requests: the API's rate limit
                # would answer most of them with a 429 and the timings would measure that.
                "API_THROTTLE_ANON": "",
            }
            command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "benchmark_search"]
            command += ["--child", "--source", str(source), "--rounds", str(options["rounds"])]
            if options["turns"]:
                command += ["--turns", str(options["turns"])]
            if options["queries"]:
                command += ["--queries", str(options["queries"])]
            if options["backends"]:
                command += ["--backends", options["backends"]]
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
        from archive.search import indexer

        call_command("migrate", verbosity=0)
        if options["backends"]:
            compare_backends(self, options)
            return
        turns = self.load(options["source"], options["turns"])
        self.stdout.write(f"Imported {turns} turns.")

        started, cpu_started = time.perf_counter(), cpu_seconds()
        bar = tqdm(total=indexer.total_turns(), unit="turn", file=sys.stderr, disable=not sys.stderr.isatty())
        count = indexer.rebuild(progress=bar.update)
        bar.close()
        ours_s, ours_cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
        live = Path(settings.SEARCH_INDEX_DIR) / os.readlink(Path(settings.SEARCH_INDEX_DIR) / "live")

        bare_dir = Path(settings.VAR_DIR) / "bare-index"
        started, cpu_started = time.perf_counter(), cpu_seconds()
        bare_count = build_bare(bare_dir)
        bare_s, bare_cpu = time.perf_counter() - started, cpu_seconds() - cpu_started

        mix = self.query_mix(options["queries"])
        first_ms, ours_ms = self.time_api(mix, options["rounds"])
        bare_ms = time_bare(bare_dir, mix, options["rounds"])
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

        ours_rate, bare_rate = count / ours_s, bare_count / bare_s
        self.stdout.write("")
        self.stdout.write(f"turns indexed          {count:,}")
        self.stdout.write(
            f"build rate             {ours_rate:,.0f} turns/s (bare standard-analyzer Whoosh: "
            f"{bare_rate:,.0f} turns/s; ratio {ours_rate / bare_rate:.2f})"
        )
        # CPU time (this process and the rebuild's subprocesses) does not depend on what else
        # the machine runs, which the wall-clock rates above do.
        ours_cpu_rate, bare_cpu_rate = count / ours_cpu, bare_count / bare_cpu
        self.stdout.write(
            f"build CPU              {ours_cpu:,.1f} s, {ours_cpu_rate:,.0f} turns per CPU second (bare: "
            f"{bare_cpu:,.1f} s, {bare_cpu_rate:,.0f}; ratio {ours_cpu_rate / bare_cpu_rate:.2f})"
        )
        ours_mib, bare_mib = folder_size(live) / 2**20, folder_size(bare_dir) / 2**20
        self.stdout.write(f"index size             {ours_mib:,.1f} MiB (bare: {bare_mib:,.1f} MiB)")
        self.stdout.write(
            f"queries                {len(mix)}, once each, then {options['rounds']} repeated rounds"
        )
        # The target's figure: each search's first request, with nothing kept for it (matches,
        # facet counts); the process has opened the index with one search outside the mix.
        self.stdout.write(
            "first request          API "
            + "   ".join(f"p{p} {percentile(first_ms, p):.1f} ms" for p in (50, 95, 99))
            + f"   mean {statistics.mean(first_ms):.1f} ms"
        )
        # The rounds repeat the mix, so they reuse what the searcher keeps per search.
        for p in (50, 95, 99):
            ours, bare = percentile(ours_ms, p), percentile(bare_ms, p)
            ratio = ours / max(bare, 1e-9)
            self.stdout.write(
                f"repeated p{p:<3}         API {ours:7.1f} ms   bare Whoosh {bare:7.1f} ms  ratio {ratio:.1f}"
            )
        self.stdout.write(f"repeated mean          API {statistics.mean(ours_ms):.1f} ms")
        self.stdout.write(
            f"peak memory (RSS)      {peak_mb:,.0f} MiB (largest rebuild subprocess: {children_mb:,.0f} MiB)"
        )

    def load(self, source: Path, limit: int | None) -> int:
        from archive.importers import import_documents
        from archive.importers.base import RawDocument

        files = sorted(source.glob("*.json"))
        if not files:
            raise CommandError(f"no .json documents in {source}")
        documents = [json.loads(f.read_text(encoding="utf-8")) for f in files]
        total = sum(len(d["turns"]) for d in documents)
        wanted = limit or total

        def repeated() -> Iterator[RawDocument]:
            taken, copy = 0, 0
            while taken < wanted:
                for data in documents:
                    if taken >= wanted:
                        return
                    if copy:  # varied slugs: a repeat is a new transcript, not a replacement
                        data = {**data, "slug": f"{data['slug']}-r{copy}"}
                        if data.get("translation_of"):
                            data["translation_of"] = f"{data['translation_of']}-r{copy}"
                    taken += len(data["turns"])
                    yield RawDocument(f"{data['slug']}.json", data=data)
                copy += 1

        bar = tqdm(total=wanted, unit="turn", file=sys.stderr, disable=not sys.stderr.isatty())
        imported = 0

        def progress(raw: RawDocument, error: Any) -> None:
            nonlocal imported
            if error is not None:
                self.stderr.write(f"rejected: {error}")
            elif raw.data:
                imported += len(raw.data["turns"])
                bar.update(len(raw.data["turns"]))

        import_documents(repeated(), on_document=progress)
        bar.close()
        return imported

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
        started = time.perf_counter()
        client.get("/api/v1/search/", {"q": "warm 準備 合作"})  # opens the index, loads MeCab and jieba
        self.stdout.write(
            f"opening the index    {(time.perf_counter() - started) * 1000:.0f} ms (a search outside the mix)"
        )
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


def compare_backends(self: Command, options: dict[str, Any]) -> None:
    from archive.models import Transcript

    if Transcript.objects.exists():
        raise CommandError(
            "the benchmark imports the corpus into its database, which must be empty (a throw-away one): "
            f"{settings.DATABASES['default']['NAME']} already holds transcripts"
        )
    turns = self.load(options["source"], options["turns"])
    self.stdout.write(f"Imported {turns} turns.")
    mix = self.query_mix(options["queries"])
    figures = [
        run_backend(self, name.strip(), mix, options["rounds"])
        for name in options["backends"].split(",")
        if name.strip()
    ]
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
    first, timed = self.time_api(mix, rounds)
    return BackendFigures(name, count, build_s, build_cpu, index_mib(get_search_backend()), first, timed)


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
    out(f"queries: {queries} x {rounds} rounds, after a warm-up round (the first-request lines)")
