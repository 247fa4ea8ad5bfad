"""Measuring a run: percentiles, CPU time, resident memory, garbage-collector pauses, sizes on disk."""

from __future__ import annotations

import gc
import os
import resource
import time
from pathlib import Path
from typing import Any


def percentile(values: list[float], p: float) -> float:
    """The value at rank p/100 of the way from the smallest to the largest (the benchmarks')."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def rank_percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile (about rank ⌈p·n/100⌉) the reliability runs report.

    Kept apart from `percentile` so that both keep printing the figures their earlier runs
    (docs/performance.md, docs/reliability.md) are compared with.
    """
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def cpu_seconds() -> float:
    """User and system CPU time of this process and of its finished subprocesses."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


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


MEMORY_STEP = 100_000  # turns between two memory figures


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
