"""The search benchmark's steps (phases), each in a process of its own: import, rebuild, export, serve.

`run_phase` starts `manage.py benchmark_search --phase NAME` on the benchmark's database, so each
step's memory and CPU are its own; that process runs `phase_figures` and prints them as JSON on
its last line. A step not asked for again (--phases) reports what its last run in the workdir
kept (figures.ndjson).
"""

from __future__ import annotations

import gc
import json
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from tqdm import tqdm

from archive.devtools.base import DevToolError, Write
from archive.devtools.benchmarks.options import COMMAND, SearchBenchmarkOptions
from archive.devtools.benchmarks.queries import query_mix
from archive.devtools.measure import GcPauses, MemoryMarks, cpu_seconds, peak_mib


def run_phase(phase: str, path: Path, options: SearchBenchmarkOptions, err: Write) -> dict[str, Any]:
    """One step in a process of its own: its memory and CPU are its own."""
    kept = Path(settings.VAR_DIR) / "figures.ndjson"
    if phase not in options.phases:
        # Not run again: the figures this workdir's last run of the step kept.
        lines = kept.read_text(encoding="utf-8").splitlines() if kept.exists() else []
        earlier = [figures for figures in map(json.loads, lines) if figures["phase"] == phase]
        if not earlier:
            raise DevToolError(f"{kept} has no figures of the {phase} step: run it (--phases)")
        err(f"{phase}: the figures of its last run ({kept})")
        return earlier[-1]  # type: ignore[no-any-return]
    command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), COMMAND]
    command += ["--phase", phase, "--source", str(path), "--rounds", str(options.rounds)]
    if options.queries:
        command += ["--queries", str(options.queries)]
    err(f"{phase} ...")
    cpu_started = cpu_seconds()
    result = subprocess.run(command, check=False, stdout=subprocess.PIPE, text=True)
    if result.returncode:
        raise DevToolError(f"the {phase} step failed (exit {result.returncode})")
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    figures["cpu"] = cpu_seconds() - cpu_started
    # Kept as they come: a long run's figures outlive a failure further on.
    with kept.open("a", encoding="utf-8") as out:
        out.write(json.dumps({"phase": phase, **figures}) + "\n")
    return figures


def write_dump(source: Path, limit: int | None) -> Path:
    """The documents to import, as one NDJSON file (repeated under varied slugs up to `limit` turns)."""
    files = sorted(source.glob("*.json"))
    if not files:
        raise DevToolError(f"no .json documents in {source}")
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


# -- in the step's own process ---------------------------------------------------------------------


def phase_figures(phase: str, options: SearchBenchmarkOptions, err: Write) -> dict[str, Any]:
    """Run step `phase` here; `options.source` is the file it reads (import, serve) or writes (export)."""
    if options.source is None:
        raise DevToolError(f"the {phase} step needs --source")
    if phase == "import":
        return phase_import(options.source, err)
    if phase == "rebuild":
        return phase_rebuild()
    if phase == "export":
        return phase_export(options.source)
    return phase_serve(options.queries, options.rounds, err)


def phase_import(source: Path, err: Write) -> dict[str, Any]:
    from archive.importers import import_documents, read_files
    from archive.importers.base import RawDocument

    memory = MemoryMarks()
    turns = documents = 0

    def progress(raw: RawDocument, error: Any) -> None:
        nonlocal turns, documents
        if error is not None:
            err(f"rejected: {error}")
        elif raw.data:
            turns += len(raw.data["turns"])
            documents += 1
            bar.update(len(raw.data["turns"]))
            memory.at(turns)

    bar = tqdm(unit="turn", file=sys.stderr, disable=not sys.stderr.isatty())
    started = time.perf_counter()
    import_documents(read_files([source]), on_document=progress)
    seconds = time.perf_counter() - started
    bar.close()
    memory.end(turns)
    return {"turns": turns, "documents": documents, "seconds": seconds, **memory.figures()}


def phase_rebuild() -> dict[str, Any]:
    from archive.search import indexer

    bar = tqdm(total=indexer.total_turns(), unit="turn", file=sys.stderr, disable=not sys.stderr.isatty())
    started = time.perf_counter()
    count = indexer.rebuild(progress=bar.update)
    seconds = time.perf_counter() - started
    bar.close()
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"count": count, "seconds": seconds, "peak_mib": peak_mib(), "children_peak_mib": children}


def phase_export(path: Path) -> dict[str, Any]:
    from archive.exporters import get_exporter
    from archive.selectors import iterate_for_export, transcripts_for_export

    memory = MemoryMarks()
    turns = documents = size = 0
    exporter = get_exporter("ndjson")
    started = time.perf_counter()
    # What `export_transcripts --format ndjson --output FILE` does, counting as it goes.
    with open(path, "w", encoding="utf-8", newline="") as out:
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


def phase_serve(queries: Path | None, rounds: int, err: Write) -> dict[str, Any]:
    """A web worker's work: the query mix through the API, then the longest transcript's page."""
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from archive.models import Transcript

    gc.freeze()  # as config/wsgi.py does in a web worker once Django is loaded
    with GcPauses() as pauses:
        timed = time_api(query_mix(queries), rounds, err)
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
                raise DevToolError(f"{url}: HTTP {response.status_code}")
        page = {
            "turns": longest.n,  # type: ignore[attr-defined]
            "first_ms": page_ms[0],
            "median_ms": statistics.median(page_ms[1:]),
            "runs": runs,
        }
    return {
        "first": timed.first,
        "timings": timed.repeated,
        "opening_ms": timed.opening_ms,
        "gc_ms": pauses.pauses,
        "page": page,
        "peak_mib": peak_mib(),
    }


@dataclass(frozen=True)
class ApiTimings:
    """Milliseconds of the query mix through GET /api/v1/search/ in one process."""

    opening_ms: float  # the worker's first two searches, outside the mix: they open the index
    first: list[float]  # each search's first request (the warm-up round)
    repeated: list[float]  # the timed rounds


def time_api(mix: list[dict[str, Any]], rounds: int, err: Write) -> ApiTimings:
    from django.test import Client

    client = Client()
    # A worker's first searches open the index, load MeCab and jieba, and read the columns it
    # keeps per segment: the facets' for any search, dates and slugs for a date order.
    started = time.perf_counter()
    client.get("/api/v1/search/", {"q": "warm 準備 合作"})
    client.get("/api/v1/search/", {"q": "warm", "sort": "-date"})
    opening_ms = (time.perf_counter() - started) * 1000
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
                err(f"{params}: HTTP {response.status_code} {response.content[:200]!r}")
    return ApiTimings(opening_ms, first, timings)
