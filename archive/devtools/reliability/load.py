"""Concurrent clients against a served archive, and what its web workers hold in memory.

Shared by `manage.py reliability` (searchers beside a writing curator) and `manage.py
benchmark_search` (throughput per backend). The clients are wrk's (C: its connections cost
little of the CPU the server needs, which a Python client on the same two cores would take),
each connection sending the given paths in a random order, with a seed per thread.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

WRK_SCRIPT = """
local paths = {%(paths)s}
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
function init(args)
  math.randomseed(id * 7919)
end
function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'FIGURES {"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, "write": %%d, ' ..
    '"status": %%d, "timeout": %%d, "p50": %%d, "p95": %%d, "p99": %%d, "max": %%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


@dataclass(frozen=True)
class LoadFigures:
    """What wrk saw: requests, seconds, errors by kind and latency percentiles in milliseconds."""

    requests: int
    seconds: float
    connect: int
    read: int
    write: int
    status: int  # answers other than 2xx/3xx
    timeout: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float

    @property
    def errors(self) -> int:
        return self.connect + self.read + self.write + self.status + self.timeout

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def start_load(
    port: int, paths: list[str], *, connections: int, seconds: float, workdir: Path
) -> subprocess.Popen[str]:
    """wrk sending `paths` over `connections` connections for `seconds`; read it with finish_load."""
    script = workdir / "clients.lua"
    script.write_text(WRK_SCRIPT % {"paths": ", ".join(json.dumps(p) for p in paths)})
    threads = max(1, min(2, connections))
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:.0f}s", "--timeout", "30s"]
    command += ["-s", str(script), "-H", "X-Forwarded-Proto: https", f"http://127.0.0.1:{port}/"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish_load(wrk: subprocess.Popen[str], seconds: float) -> LoadFigures:
    output, _ = wrk.communicate(timeout=seconds + 120)
    line = next((x for x in output.splitlines() if x.startswith("FIGURES ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary:\n{output}")
    w = json.loads(line.removeprefix("FIGURES "))
    return LoadFigures(
        requests=w["requests"],
        seconds=w["duration_us"] / 1e6,
        connect=w["connect"],
        read=w["read"],
        write=w["write"],
        status=w["status"],
        timeout=w["timeout"],
        p50_ms=w["p50"] / 1000,
        p95_ms=w["p95"] / 1000,
        p99_ms=w["p99"] / 1000,
        max_ms=w["max"] / 1000,
    )


@dataclass(frozen=True)
class WorkerMemory:
    """A process's resident memory (RSS) and its proportional share (PSS): pages shared with other
    processes (the memory-mapped index, what the workers inherited from gunicorn's master) count
    in PSS divided among the processes sharing them, so the PSS of all workers adds up to what
    they really take."""

    pid: int
    rss_mib: float
    pss_mib: float


def worker_memory(master_pid: int) -> list[WorkerMemory]:
    """The memory of each child of `master_pid` (gunicorn's workers), from /proc (Linux)."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return [memory_of(int(pid)) for pid in children]


def memory_of(pid: int) -> WorkerMemory:
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, rest = line.partition(":")
        fields[name.strip()] = int(rest.split()[0])  # kB
    return WorkerMemory(pid, fields.get("Rss", 0) / 1024, fields.get("Pss", 0) / 1024)
