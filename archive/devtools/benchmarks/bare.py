"""The search benchmark's yardstick: a bare Whoosh index of the same turns with the standard analyzer.

What a plain Django+Whoosh setup would build and search, timed beside ours (--no-bare skips it).
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.devtools.measure import cpu_seconds


@dataclass(frozen=True)
class BareBuild:
    turns: int
    seconds: float
    cpu: float


@dataclass(frozen=True)
class BareFigures:
    build: BareBuild
    size_mib: float
    timings: list[float]  # milliseconds of the repeated rounds of the query mix


def timed_bare_build(path: Path) -> BareBuild:
    started, cpu_started = time.perf_counter(), cpu_seconds()
    count = build_bare(path)
    return BareBuild(count, time.perf_counter() - started, cpu_seconds() - cpu_started)


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
    """Milliseconds of each query of the mix on the bare index, `rounds` times after a warm-up round."""
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
