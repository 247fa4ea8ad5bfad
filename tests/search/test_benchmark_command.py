"""benchmark_search end to end on a tiny corpus: every phase runs and prints its figures.

The figures' values are not checked (speed is measured, not asserted); what is checked is that
the command runs its four phases in their own processes and reports each figure it promises.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest import skipUnless

from django.conf import settings
from django.test import SimpleTestCase

from archive.devtools.benchmarks.backends import slowest
from tests.fixtures import BRIEFING_EN, MANANERA_ES


class BenchmarkCommandTests(SimpleTestCase):
    def test_every_phase_runs_and_prints_its_figures(self) -> None:
        with tempfile.TemporaryDirectory(prefix="benchmark-test-") as tmp:
            source = Path(tmp) / "source"
            source.mkdir()
            for document in (BRIEFING_EN, MANANERA_ES):
                (source / f"{document['slug']}.json").write_text(json.dumps(document), encoding="utf-8")
            queries = Path(tmp) / "queries.json"
            queries.write_text(json.dumps({"queries": [{"q": "sanctions drones"}]}), encoding="utf-8")
            command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "benchmark_search"]
            command += ["--source", str(source), "--turns", "20", "--rounds", "1"]
            command += ["--queries", str(queries), "--workdir", str(Path(tmp) / "work")]
            result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
            self.assertEqual(result.returncode, 0, result.stderr[-3000:])
            out = result.stdout

            # --turns 20 repeats the two documents (4 + 2 turns) under new slugs until 20 are
            # reached: three copies of both and the first again, 7 documents, 22 turns.
            self.assertRegex(out, r"turns indexed +22\n")
            for figure in (
                r"import \(NDJSON\) +[\d,]+ turns/s \(7 documents",
                r"build rate +[\d,]+ turns/s .*bare standard-analyzer Whoosh: [\d,]+ turns/s; ratio [\d.]+",
                r"index size +[\d.]+ MiB \(bare: [\d.]+ MiB\)",
                r"export \(NDJSON\) +[\d,]+ turns/s \(7 documents",
                # the 12 built-in queries of the mix and the one of queries.json
                r"queries +13, once each, then 1 repeated rounds",
                r"first request +API p50 [\d.]+ ms +p95 [\d.]+ ms +p99 [\d.]+ ms",
                r"repeated p95 +API +[\d.]+ ms +bare Whoosh +[\d.]+ ms",
                r"opening the index +[\d,]+ ms",
                r"garbage collector +[\d,]+ collections, [\d,]+ ms in all; \d+ full, longest [\d,]+ ms",
                r"longest transcript +4 turns: page [\d,]+ ms",
                r"peak memory \(RSS\) +import [\d,]+ MiB, rebuild [\d,]+ MiB \(largest worker [\d,]+ MiB\)",
            ):
                self.assertRegex(out, figure)
            # Every request of the mix was answered (a failed one is reported on stderr).
            self.assertNotRegex(result.stderr, re.compile(r"HTTP [45]\d\d"))
            # Each phase's figures are kept as they come, one JSON line per phase.
            kept = (Path(tmp) / "work" / "figures.ndjson").read_text(encoding="utf-8").splitlines()
            phases = [json.loads(line)["phase"] for line in kept]
            self.assertEqual(phases, ["import", "rebuild", "export", "serve"])

            # --phases reruns some steps in the same workdir and reports the others' kept figures.
            again = subprocess.run(
                [*command, "--phases", "serve"], capture_output=True, text=True, timeout=600, check=False
            )
            self.assertEqual(again.returncode, 0, again.stderr[-3000:])
            for phase in ("import", "rebuild", "export"):
                self.assertIn(f"{phase}: the figures of its last run", again.stderr)
            self.assertIn("serve ...", again.stderr)
            self.assertRegex(again.stdout, r"turns indexed +22\n")
            kept = (Path(tmp) / "work" / "figures.ndjson").read_text(encoding="utf-8").splitlines()
            self.assertEqual([json.loads(line)["phase"] for line in kept][-1], "serve")
            self.assertEqual(len(kept), 5)


@skipUnless(shutil.which("wrk"), "wrk is not installed (make system-deps installs it)")
class BenchmarkUnderLoadTests(SimpleTestCase):
    def test_the_backend_comparison_serves_concurrent_clients_and_reports_worker_memory(self) -> None:
        with tempfile.TemporaryDirectory(prefix="benchmark-test-") as tmp:
            source = Path(tmp) / "source"
            source.mkdir()
            (source / "briefing.json").write_text(json.dumps(BRIEFING_EN), encoding="utf-8")
            queries = Path(tmp) / "queries.json"
            queries.write_text(json.dumps({"queries": [{"q": "sanctions drones"}]}), encoding="utf-8")
            command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "benchmark_search"]
            command += ["--source", str(source), "--rounds", "1", "--queries", str(queries)]
            command += ["--backends", "whoosh", "--clients", "4", "--load-seconds", "2", "--web-workers", "2"]
            result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        out = result.stdout
        self.assertIn("whoosh: 4 concurrent clients for 2 s", out)
        for figure in (
            r"concurrent throughput +[\d,.]+ req/s",
            r"concurrent p50 / p95 +[\d,]+ / [\d,]+ ms",
            r"concurrent errors +0 of [\d,]+",  # every request of the mix answered 2xx
            r"worker RSS \(max\) +[\d,]+ MiB",
            r"worker PSS \(max\) +[\d,]+ MiB",
            r"gunicorn \(2 workers\)",
            r"whoosh: slowest searches, median of the repeated rounds\n +[\d,.]+ ms  \S",
        ):
            self.assertRegex(out, figure)


class SlowestSearchesTests(SimpleTestCase):
    def test_searches_are_ranked_by_the_median_of_their_rounds(self) -> None:
        mix = [{"q": "a"}, {"q": "b", "language": "es"}, {"q": "", "kind": "answer"}]
        # Two rounds in the mix's order: a 10 then 90 (median 50), b 30 and 40, browsing 60 and 5.
        timed = [10.0, 30.0, 60.0, 90.0, 40.0, 5.0]
        self.assertEqual(
            slowest(mix, timed, shown=2),
            [("a", 50.0), ("b (language=es)", 35.0)],
        )
        self.assertEqual(slowest(mix, timed)[-1], ("(kind=answer)", 32.5))
