"""The search benchmark's options (as `manage.py benchmark_search` takes them) and its steps."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

# The command the benchmark runs again for its child process and for each step (phase).
COMMAND = "benchmark_search"
PHASES = ("import", "rebuild", "export", "serve")


@dataclass(frozen=True)
class SearchBenchmarkOptions:
    turns: int | None = None  # index this many turns (None: the whole corpus)
    source: Path | None = None  # a folder of qa-archive/1 files; in a step, the file it reads or writes
    queries: Path | None = None  # known-item queries (None: the shared ones)
    rounds: int = 5  # times the query mix is run
    workdir: Path | None = None  # keep the database and indexes here (None: a temp dir)
    backends: str | None = None  # compare these backends instead, e.g. "whoosh,postgres"
    pg_url: str | None = None  # an empty, throw-away PostgreSQL database for the comparison
    clients: int = 16  # concurrent clients per backend in the comparison
    load_seconds: float = 30  # how long they search (0 skips that step)
    web_workers: int = 3  # gunicorn workers serving them
    no_bare: bool = False  # skip the bare Whoosh comparison
    phases: tuple[str, ...] = PHASES  # run only these again in `workdir`; the others' figures are kept

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> SearchBenchmarkOptions:
        """The fields of a command's parsed options (which hold more)."""
        return cls(**{field.name: options[field.name] for field in fields(cls)})
