"""Test-wide setup: every run gets its own search index and var/ in a temp folder."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="qa-archive-tests-"))


@pytest.fixture(scope="session", autouse=True)
def _isolated_var_dir(django_test_environment: None) -> Iterator[None]:
    from django.conf import settings

    settings.VAR_DIR = _TMP
    # Lemma files are simplemma's dictionaries unpacked (read-only, named by its version): shared by
    # runs, or each run would spend seconds per language unpacking them again.
    settings.LEMMA_DIR = Path(settings.BASE_DIR) / "var" / "lemmas"
    settings.SEARCH_INDEX_DIR = _TMP / "index"
    settings.MEDIA_ROOT = _TMP / "media"  # uploaded recordings
    for config in settings.SEARCH_BACKENDS.values():
        config["PATH"] = _TMP / "index"
    yield
    shutil.rmtree(_TMP, ignore_errors=True)


@pytest.fixture(autouse=True)
def _empty_cache(request: pytest.FixtureRequest) -> Iterator[None]:
    """Throttles count requests in the cache: each test starts from zero.

    The cache is the database (settings CACHES): only tests that may use the database can
    have counted anything, and only they may clear it."""
    from django.core.cache import cache

    test_class = getattr(request.node, "cls", None)
    uses_database = (
        bool(getattr(test_class, "databases", None))
        or request.node.get_closest_marker("django_db") is not None
        or bool({"db", "transactional_db"} & set(request.fixturenames))
    )
    if uses_database:
        cache.clear()
    yield
