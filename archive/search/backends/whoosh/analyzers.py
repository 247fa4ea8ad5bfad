"""The shared analyses (`archive.search.analysis`) as Whoosh analyzers, yielding Whoosh's tokens.

The same classes with Whoosh's `Analyzer` as a further base (what Whoosh expects of a field's
analyzer: `clean()`, `has_morph()`, composition) and Whoosh's `Token` as what they yield: no
per-token conversion in the build's hot loop. Pickled into the index schema, as their key alone.
"""

from __future__ import annotations

from whoosh.analysis import Analyzer, Token

from archive.search import analysis


class WhooshWordAnalyzer(analysis.WordAnalyzer, Analyzer):  # type: ignore[misc]
    token_class = Token


class WhooshHebrewAnalyzer(analysis.HebrewAnalyzer, Analyzer):  # type: ignore[misc]
    token_class = Token


class WhooshChineseAnalyzer(analysis.ChineseAnalyzer, Analyzer):  # type: ignore[misc]
    token_class = Token


class WhooshJapaneseAnalyzer(analysis.JapaneseAnalyzer, Analyzer):  # type: ignore[misc]
    token_class = Token


class WhooshBigramAnalyzer(analysis.BigramAnalyzer, Analyzer):  # type: ignore[misc]
    token_class = Token


_WHOOSH_CLASSES: dict[type[analysis.KeyedAnalyzer], type[analysis.KeyedAnalyzer]] = {
    analysis.WordAnalyzer: WhooshWordAnalyzer,
    analysis.HebrewAnalyzer: WhooshHebrewAnalyzer,
    analysis.ChineseAnalyzer: WhooshChineseAnalyzer,
    analysis.JapaneseAnalyzer: WhooshJapaneseAnalyzer,
    analysis.BigramAnalyzer: WhooshBigramAnalyzer,
}


def whoosh_analyzer_for(key: str) -> analysis.KeyedAnalyzer:
    """A fresh Whoosh analyzer for an analysis key (KeyError for a key not in ANALYSIS_KEYS)."""
    shared = analysis.analyzer_for(key)
    return _WHOOSH_CLASSES[type(shared)](shared.key)
