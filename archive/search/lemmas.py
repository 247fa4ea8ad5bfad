"""Lemma dictionaries for the analysis: simplemma's, unpacked once into SQLite files.

simplemma ships its dictionaries LZMA-compressed; unpacking one takes seconds (Polish: 9-23 s on
a busy 2-core machine) and holds 70-150 MB per language in every process. A query must never wait
that long, so each language's dictionary is written once into an SQLite file under LEMMA_DIR
(default: VAR_DIR/lemmas), which any process then opens at once and reads with an indexed lookup
(a few microseconds; the analysis caches words anyway). The file is named after simplemma's version,
so an upgrade builds new ones. `prepare()` builds them ahead (rebuild_index does it for the
archive's languages); a lookup that finds no file builds it then.

simplemma's own strategies (dictionary, then hyphen, affix and prefix rules) read these files through
its DictionaryFactory protocol. A word simplemma cannot lemmatize is indexed as written.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

_local = threading.local()
_build_lock = threading.Lock()


def store_dir() -> Path:
    from django.conf import settings

    configured = getattr(settings, "LEMMA_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "lemmas"


def _path(lang: str) -> Path:
    from importlib.metadata import version

    return store_dir() / f"simplemma-{version('simplemma')}" / f"{lang}.sqlite3"


def build(lang: str) -> Path:
    """The SQLite file of simplemma's `lang` dictionary, written now if it is not there yet."""
    path = _path(lang)
    if path.exists():
        return path
    with _build_lock:
        if path.exists():
            return path
        from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

        entries = DefaultDictionaryFactory(cache_max_size=0).get_dictionary(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: another process never opens a half-written file.
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{lang}-", suffix=".tmp")
        os.close(fd)
        try:
            con = sqlite3.connect(temp)
            con.execute("CREATE TABLE lemma (word TEXT PRIMARY KEY, lemma TEXT NOT NULL) WITHOUT ROWID")
            con.executemany("INSERT OR IGNORE INTO lemma VALUES (?, ?)", sorted(entries.items()))
            con.commit()
            con.close()
            os.chmod(temp, 0o644)  # readable by the web processes, whoever built it
            os.replace(temp, path)
        finally:
            if os.path.exists(temp):
                os.unlink(temp)
    return path


def prepare(langs: Iterable[str]) -> None:
    """Build the files of these simplemma languages ahead of the first query that needs them."""
    for lang in sorted(set(langs)):
        build(lang)


def _connection(lang: str) -> sqlite3.Connection:
    """This thread's read-only connection to `lang`'s file (connections are not shared between threads)."""
    connections: dict[str, sqlite3.Connection] | None = getattr(_local, "connections", None)
    if connections is None or getattr(_local, "pid", None) != os.getpid():
        # A forked indexing worker opens its own: an SQLite connection must not cross a fork.
        connections = _local.connections = {}
        _local.pid = os.getpid()
    con = connections.get(lang)
    if con is None:
        con = connections[lang] = sqlite3.connect(f"{build(lang).resolve().as_uri()}?mode=ro", uri=True)
    return con


class _StoredDictionary(Mapping[str, str]):
    """One language's dictionary read from its SQLite file, as simplemma's strategies read a dict."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def get(self, key: str, default: Any = None) -> Any:
        row = _connection(self.lang).execute("SELECT lemma FROM lemma WHERE word = ?", (key,)).fetchone()
        return default if row is None else row[0]

    def __getitem__(self, key: str) -> str:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return str(found)

    def __iter__(self) -> Iterator[str]:
        return (row[0] for row in _connection(self.lang).execute("SELECT word FROM lemma"))

    def __len__(self) -> int:
        return int(_connection(self.lang).execute("SELECT count(*) FROM lemma").fetchone()[0])


class _StoredDictionaries:
    """simplemma's DictionaryFactory protocol over the SQLite files."""

    def __init__(self) -> None:
        self._dictionaries: dict[str, _StoredDictionary] = {}

    def get_dictionary(self, lang: str) -> Mapping[str, str]:
        found = self._dictionaries.get(lang)
        if found is None:
            found = self._dictionaries[lang] = _StoredDictionary(lang)
        return found


@cache
def _lemmatizer() -> Any:
    """simplemma's default strategies (dictionary, hyphens, affix and prefix rules) over the stored files."""
    from simplemma import Lemmatizer
    from simplemma.strategies import DefaultStrategy

    return Lemmatizer(lemmatization_strategy=DefaultStrategy(dictionary_factory=_StoredDictionaries()))


def lookup(lang: str) -> Callable[[str], str | None]:
    """word -> its lemma by simplemma in `lang`, or None when simplemma knows nothing better than the word."""
    lemmatizer = _lemmatizer()

    def lemma(word: str) -> str | None:
        found = lemmatizer.lemmatize(word, lang)
        return None if found == word else str(found)

    return lemma
