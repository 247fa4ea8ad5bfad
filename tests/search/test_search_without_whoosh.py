"""The shared analysis and the PostgreSQL backend need no Whoosh; the Whoosh backend's analyzers
are the shared analysis, token for token."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.test import SimpleTestCase
from whoosh.analysis import Analyzer
from whoosh.analysis import Token as WhooshToken

from archive.search.analysis import ANALYSIS_KEYS, Token, analyzer_for
from archive.search.backends.whoosh.analyzers import whoosh_analyzer_for

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = (
    "Le Président a dit: «Ｏｌｙｍｐｉｃｓ» 總統發言人表示 בְּרֵאשִׁית והתכניות العـربية ｵﾘﾝﾋﾟｯｸの準備 U.S. 3.5"
)


class WithoutWhooshTests(SimpleTestCase):
    def test_importing_the_postgresql_backend_does_not_import_whoosh(self) -> None:
        script = (
            "import sys, django\n"
            "django.setup()\n"
            "import archive.search.backends.postgres, archive.search.highlight, archive.search.tokens\n"
            "loaded = sorted(m for m in sys.modules if m == 'whoosh' or m.startswith('whoosh.'))\n"
            "assert not loaded, loaded\n"
        )
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings"),
        }
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False, cwd=ROOT
        )
        self.assertEqual(done.returncode, 0, done.stderr)

    def test_the_shared_analyzers_yield_their_own_tokens(self) -> None:
        analyzer = analyzer_for("en")
        self.assertNotIsInstance(analyzer, Analyzer)
        self.assertIsInstance(next(iter(analyzer("tariffs"))), Token)


class WhooshAnalyzerTests(SimpleTestCase):
    def test_they_yield_whooshs_tokens_with_the_shared_terms_positions_and_offsets(self) -> None:
        def seen(tokens: Iterable[Any], chars: bool) -> list[tuple[Any, ...]]:
            return [(t.text, t.pos, *((t.startchar, t.endchar, t.original) if chars else ())) for t in tokens]

        for key in ANALYSIS_KEYS:
            whoosh_analyzer = whoosh_analyzer_for(key)
            self.assertIsInstance(whoosh_analyzer, Analyzer, key)
            self.assertIsInstance(next(iter(whoosh_analyzer("archive"))), WhooshToken, key)
            for mode in ("index", "query"):
                for chars in (False, True):
                    options: dict[str, Any] = {
                        "positions": True,
                        "chars": chars,
                        "keeporiginal": chars,
                        "mode": mode,
                    }
                    self.assertEqual(
                        seen(whoosh_analyzer(SAMPLE, **options), chars),
                        seen(analyzer_for(key)(SAMPLE, **options), chars),
                        (key, mode, chars),
                    )
