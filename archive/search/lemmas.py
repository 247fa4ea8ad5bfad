"""Lemma dictionaries for the analysis: simplemma's, unpacked once into memory-mapped trie files.

simplemma ships its dictionaries LZMA-compressed; unpacking one takes seconds (Polish: 9-23 s on
a busy 2-core machine) and holds 70-150 MB per language in every process. A query must never wait
that long, so each language's dictionary is written once into a MARISA trie file under LEMMA_DIR
(default: VAR_DIR/lemmas), which any process then maps at once: the pages are the file's, shared
by every process that reads it (counted once, not per web worker), and a lookup takes about a
microsecond. The file is named after simplemma's version, so an upgrade builds new ones.
`prepare()` builds them ahead (rebuild_index does it for the archive's languages); a lookup that
finds no file builds it then.

A word is looked up in the dictionary first, as simplemma's own strategies would look it up first;
only a word the dictionary does not hold goes through the rest of them (hyphen, affix and prefix
rules), which read the same files through simplemma's DictionaryFactory protocol. A word simplemma
cannot lemmatize is indexed as written.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import marisa_trie

_build_lock = threading.Lock()


def store_dir() -> Path:
    from django.conf import settings

    configured = getattr(settings, "LEMMA_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "lemmas"


def _path(lang: str) -> Path:
    from importlib.metadata import version

    return store_dir() / f"simplemma-{version('simplemma')}" / f"{lang}.marisa"


def build(lang: str) -> Path:
    """The trie file of simplemma's `lang` dictionary, written now if it is not there yet."""
    path = _path(lang)
    if path.exists():
        return path
    with _build_lock:
        if path.exists():
            return path
        from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

        entries = DefaultDictionaryFactory(cache_max_size=0).get_dictionary(lang)
        trie = marisa_trie.BytesTrie((word, lemma.encode()) for word, lemma in entries.items())
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: another process never maps a half-written file.
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{lang}-", suffix=".tmp")
        os.close(fd)
        try:
            trie.save(temp)
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


@cache
def _trie(lang: str) -> marisa_trie.BytesTrie:
    """`lang`'s trie, mapped read-only from its file (a mapping survives a fork: workers share it)."""
    trie = marisa_trie.BytesTrie()
    trie.mmap(str(build(lang)))
    return trie


class _StoredDictionary(Mapping[str, str]):
    """One language's dictionary read from its trie file, as simplemma's strategies read a dict."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def get(self, key: str, default: Any = None) -> Any:
        found = dictionary_lemma(self.lang, key)
        return default if found is None else found

    def __getitem__(self, key: str) -> str:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return str(found)

    def __iter__(self) -> Iterator[str]:
        return iter(_trie(self.lang).iterkeys())

    def __len__(self) -> int:
        return len(_trie(self.lang))


class _StoredDictionaries:
    """simplemma's DictionaryFactory protocol over the trie files."""

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
    """word -> its lemma by simplemma in `lang`, or None when simplemma knows nothing better than the word.

    `word` is NFKC-normalised (the analysis's words are), so NFC as simplemma wants it.
    """
    from simplemma.utils import canonicalize_token, has_apostrophe

    lemmatizer = _lemmatizer()

    def lemma(word: str) -> str | None:
        # simplemma's first step for a word without an apostrophe that is not a number is this very
        # lookup: a word the dictionary holds (most) skips the strategies' Python (three quarters of
        # a lookup's time).
        found = None
        if not has_apostrophe(word) and not word.isnumeric():
            found = dictionary_lemma(lang, canonicalize_token(word, lang))
        if found is None:
            found = lemmatizer.lemmatize(word, lang)
        return None if found == word else str(found)

    return lemma


def dictionary_lemma(lang: str, word: str) -> str | None:
    """`word`'s lemma in `lang`'s dictionary itself (a lemma maps to itself), None if it is not there:
    no rules, no guesses."""
    found = _trie(lang).get(word)
    return found[0].decode() if found else None
