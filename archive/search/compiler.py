"""The parsed query (`archive.search.query`) compiled for a backend: one tree walk for all.

`QueryCompiler` walks the tree, decides which fields free words are looked for in, applies the
limits and raises the refusals; a backend subclasses it and emits only its own leaves (a
Whoosh query, a tsquery) through the few methods marked "the backend's". Did-you-mean and typo
tolerance are written here too, on the backend's close-term lookup and word read-back.

Typo tolerance: a word of the query that matches nothing, or only a few documents while a
close term matches many more, is also looked for as its close terms (see `typo_distance`);
those matches score FUZZY_BOOST of an exact one, and the search says what it corrected.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

from archive.search import analysis
from archive.search.backends.base import SearchRequest
from archive.search.errors import QueryRefused
from archive.search.query import And, FieldTerm, Node, Not, Or, Phrase, Prefix, Word
from archive.search.tokens import analyzed, closest_word, edit_distance

MAX_PREFIX_EXPANSIONS = 300  # terms a query's prefixes may expand to, in all fields together

# Typo tolerance.
TYPO_SHORTEST = 4  # letters a word needs before it is corrected at all (one edit from then on)
TYPO_TWO_EDITS = 8  # letters from which two edits are allowed
TYPO_RARE_DOCS = 2  # a word in at most this many documents counts as "very little"...
TYPO_RARE_RATIO = 10  # ...when a close term is in at least this many times more documents
TYPO_TERMS = 5  # close terms searched per corrected word, the closest then commonest
TYPO_WORDS = 3  # words of one query corrected, at most (the first ones)
TYPO_SUFFIX = 5  # letters of a mistyped word's ending its close stem may leave out (see typo_edits)
TYPO_PREFIX = 2  # letters a close term shares with the word's beginning (did-you-mean: one)
FUZZY_BOOST = 0.5  # a close term's match scores this much of an exact match of it
TYPO_VARIANTS = 2_500  # words one edit away spelt per word, at most (beyond: drops and swaps only)
TYPO_LOOKUPS = 2_000  # of their terms looked up for one query (all its words and fields), at most

# Other forms of the words, when a search found nothing with every word as typed (`widen`).
WIDEN_SHORTEST = 4  # letters a word needs (in typing form) to be widened
WIDEN_PREFIX = 3  # letters of the word the shortest prefix keeps
WIDEN_TERMS = 50  # terms a prefix may begin in one field: the shortest within this is taken
WIDEN_WORDS = 4  # words of one query widened, at most (the first ones)
WIDEN_INFLECTIONS = 1_000  # inflections spelt by rule (analysis.inflections) looked up per word, at most

# Where free words are looked for: the parts of a document, per analysis key.
TEXT, TRANS, TITLE, NAMES, LABELS = "text", "trans", "title", "names", "labels"
GENERIC = "generic"

F = TypeVar("F")  # a backend's field
Q = TypeVar("Q")  # a backend's compiled query


def too_costly() -> QueryRefused:
    return QueryRefused("This search matches too much to answer quickly. Please add words or filters.")


def prefix_refused(text: str) -> QueryRefused:
    return QueryRefused(f"“{text}*” matches too many words. Please type more of the word.")


@dataclass(frozen=True)
class Scope:
    """A part of the documents free words are looked for in, with its analysis key."""

    part: str  # TEXT, TRANS, TITLE, NAMES or LABELS
    key: str


def field_scope(
    request: SearchRequest, own_only: bool = False, indexed: frozenset[str] | None = None
) -> list[Scope]:
    """The turn's text in the languages in scope (the filter's, else every one), the aligned
    translations, and unless `own_only` the titles, the speakers' names and the topic labels.
    `indexed`: the analyses the index holds any text of (None: unknown, every one)."""
    keys = analysis.ANALYSIS_KEYS
    if request.language:
        texts = [analysis.analysis_key(request.language)]
    else:
        # Without a language filter, only the analyses the query's words plausibly are, among
        # those the archive holds: Polish words are not also stemmed as English and matched in
        # English translations, and English words are not taken for a language nobody wrote in.
        held = frozenset(keys) if indexed is None else indexed & frozenset(keys)
        plausible = analysis.query_keys(" ".join(request.query.plain_words()), held)
        keys = tuple(key for key in keys if key in plausible)
        texts = list(keys)
    scope = [*(Scope(TEXT, key) for key in texts), *(Scope(TRANS, key) for key in keys)]
    if not own_only:
        scope += [*(Scope(TITLE, key) for key in keys), Scope(NAMES, GENERIC), Scope(LABELS, GENERIC)]
    return scope


def _is_cjk(ch: str) -> bool:
    name = unicodedata.name(ch, "")
    return name.startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL"))


def typo_distance(word: str) -> int:
    """Edits a correction of `word` may make: none for numbers, short words and one- or
    two-character CJK words, one for 4 to 7 letters, two from 8."""
    if any(ch.isdigit() for ch in word):
        return 0
    letters = sum(1 for ch in word if ch.isalpha())
    if letters <= 2 and any(_is_cjk(ch) for ch in word):
        return 0
    if letters < TYPO_SHORTEST:
        return 0
    return 1 if letters < TYPO_TWO_EDITS else 2


def typo_edits(token: str, term: str, limit: int) -> int | None:
    """Edits from a mistyped word's analysed form `token` to the index term `term`; None beyond `limit`.

    A typo in a word's ending defeats the stemmer: "demonstratios" stays whole while
    "demonstrations" is "demonstr". So a term that begins the token, leaving out at most
    TYPO_SUFFIX letters of its ending and less than half of it, is close too (counted as `limit`
    edits: after closer words); `ping` (of `pinged`) is not close to `pinguino`.
    """
    distance = edit_distance(token, term, limit)
    if distance <= limit:
        return distance
    kept = len(term)
    if (
        kept >= TYPO_SHORTEST
        and len(token) - kept <= TYPO_SUFFIX
        and 2 * kept > len(token)
        and token.startswith(term)
    ):
        return limit
    return None


def _letters(first: str, last: str, more: str = "") -> str:
    return "".join(map(chr, range(ord(first), ord(last) + 1))) + more


# The letters of the modern alphabets of a script, as the analysis folds them (no accents, no
# final forms), by the Unicode block (of 128) the script's letters are in.
_CYRILLIC = _letters("а", "я", "ђѓєѕіїјљњћќўџґ")  # (ґ is in the block after the rest)
_ARABIC = _letters("ء", "ي", "پچژگکی")  # with the letters Persian adds, in the block after
_ALPHABETS = {
    0: _letters("a", "z"),  # Latin (its accented letters fold to these)
    7: _letters("α", "ω"),  # Greek
    8: _CYRILLIC,
    9: _CYRILLIC,
    10: _letters("ա", "ֆ"),  # Armenian
    11: _letters("א", "ת"),  # Hebrew
    12: _ARABIC,
    13: _ARABIC,
}


def _alphabet(form: str) -> str:
    """The letters a typist of a word (in typing form, `analysis.typing_form`) may have missed or
    mistyped: the modern alphabet of each script its letters are in (else every letter of that
    Unicode block), and the word's own letters."""
    letters = set(form)
    for block in {ord(ch) >> 7 for ch in form if ch.isalpha()}:
        letters.update(_ALPHABETS.get(block) or _block_letters(block))
    return "".join(sorted(ch for ch in letters if ch.isalpha()))


@lru_cache(maxsize=64)
def _block_letters(block: int) -> str:
    found = (analysis.normalize(chr(code)) for code in range(block << 7, (block + 1) << 7))
    return "".join(sorted({ch for ch in found if len(ch) == 1 and ch.isalpha() and not _is_cjk(ch)}))


def typo_variants(form: str) -> frozenset[str]:
    """The words one edit from a word in typing form: a letter dropped, two neighbours swapped, a
    letter replaced or added (from `_alphabet`). Distances between stems miss a typo that changes
    the stem ("Kchen" is "kchen", "Kuchen" is "kuch"; Indonesian "mnuntut" keeps the prefix
    "menuntut" loses): the words one edit away, stemmed as the index stems them, do not. At most
    about TYPO_VARIANTS: a long word of several scripts gets its drops and swaps only."""
    letters = _alphabet(form)
    if (2 * len(form) + 1) * len(letters) > TYPO_VARIANTS:  # a long word of several scripts
        letters = ""
    found: set[str] = set()
    for i in range(len(form) + 1):
        head, tail = form[:i], form[i:]
        found.update(head + ch + tail for ch in letters)
        if tail:
            found.add(head + tail[1:])
            found.update(head + ch + tail[1:] for ch in letters)
        if len(tail) > 1:
            found.add(head + tail[1] + tail[0] + tail[2:])
    found.discard(form)
    return frozenset(found)


def typo_words(root: Node | None) -> list[str]:
    """The words of the query typo tolerance applies to: plain words that must or may match (not
    excluded, not in a phrase, a prefix or a field), of a length it corrects; the first TYPO_WORDS."""
    return _plain_words(root, TYPO_WORDS, lambda word: bool(typo_distance(word)))


def widen_words(root: Node | None) -> list[str]:
    """The words of the query looked for in other forms too (`prepare_widening`): plain words as
    for typos, of WIDEN_SHORTEST letters or more and no digit; the first WIDEN_WORDS."""

    def wanted(word: str) -> bool:
        return sum(ch.isalpha() for ch in word) >= WIDEN_SHORTEST and not any(ch.isdigit() for ch in word)

    return _plain_words(root, WIDEN_WORDS, wanted)


def _plain_words(root: Node | None, most: int, wanted: Callable[[str], bool]) -> list[str]:
    found: list[str] = []
    stack: list[Node] = [root] if root is not None else []
    while stack and len(found) < most:
        node = stack.pop()
        if isinstance(node, And | Or):
            stack.extend(reversed(node.children))
        elif isinstance(node, Word) and wanted(node.text) and node.text not in found:
            found.append(node.text)
    return found


class QueryCompiler(Generic[F, Q]):
    """The query tree walked once for every backend; the backend emits the leaves.

    `compile()` gives the query for the words in every field in scope, `compile(own_only=True)`
    for the turn's own words and translations (what ranks a turn above one matching through its
    title). Before compiling, `prepare_typos()` picks the words to correct and their close terms.
    """

    def __init__(self, request: SearchRequest) -> None:
        self.request = request
        self.fields: list[F] = []
        self.expanded = 0  # prefix expansions so far in this compilation
        self.negated = 0  # depth inside exclusions: their words do not score
        # word -> its close terms, (own text field, term), closest then commonest
        self.fuzzy: dict[str, list[tuple[F, str]]] = {}
        self.lookups_left = TYPO_LOOKUPS  # terms of words one edit away still to look up
        # word -> the prefixes it is also looked for as (`prepare_widening`), (own text field, prefix)
        self.widened: dict[str, list[tuple[F, str]]] = {}
        # word -> its inflections by rule the index holds (`prepare_widening`), (own text field, term)
        self.inflected: dict[str, list[tuple[F, str]]] = {}

    # -- the backend's ------------------------------------------------------------------------------

    def fields_for(self, scope: list[Scope]) -> list[F]:
        """The backend's fields for the parts in scope (it may leave out the empty ones)."""
        raise NotImplementedError

    def indexed_keys(self) -> frozenset[str] | None:
        """The analysis keys the index holds any text of (None: not known, take every one)."""
        return None

    def key_of(self, f: F) -> str:
        raise NotImplementedError

    def frequency(self, f: F, term: str) -> int:
        """Documents holding `term` in field `f` (0 for none)."""
        raise NotImplementedError

    def load_frequencies(self, terms: list[tuple[F, str]]) -> None:
        """Called before `frequency` is asked about these terms (a backend may look them up at once)."""

    def words(self, f: F, groups: list[list[str]], phrase: bool, boost: float = 1.0) -> Q:
        """The terms of one field, a group per position (alternatives), all (in order if `phrase`)."""
        raise NotImplementedError

    def prefix_terms(self, f: F, stem: str, budget: int, boost: float = 1.0) -> tuple[int, list[Q]]:
        """(expansions, queries) of `stem`'s prefix in field `f`; may stop counting past `budget`."""
        raise NotImplementedError

    def prefix_sizes(self, prefixes: list[tuple[F, str]]) -> dict[tuple[F, str], int]:
        """How many terms of field `f` begin with each prefix, counted to MAX_PREFIX_EXPANSIONS + 1."""
        raise NotImplementedError

    def any_of(self, parts: list[Q]) -> Q:
        raise NotImplementedError

    def all_of(self, positive: list[Q], negative: list[Q]) -> Q | None:
        """Every positive part and none of the negative ones (no positive: every document)."""
        raise NotImplementedError

    def nothing(self) -> Q:
        raise NotImplementedError

    def field_value(self, node: FieldTerm, value: str) -> Q:
        """kind: and lang: values, and the exact (slug) match of speaker: and topic:."""
        raise NotImplementedError

    def close_terms(self, tokens: list[tuple[F, str]], limit: int | None) -> list[tuple[F, str, int]]:
        """(field, term, documents) of the terms within `limit` edits of each field's token (None:
        tokens.suggest_distance), closest first, then commonest."""
        raise NotImplementedError

    def known_terms(self, candidates: list[tuple[F, str]]) -> list[tuple[F, str, int]]:
        """(field, term, documents) of the candidates some document (not deleted) holds: by their
        frequencies (a backend whose frequencies count deleted documents checks more)."""
        self.load_frequencies(candidates)
        return [(f, term, docs) for f, term in candidates if (docs := self.frequency(f, term))]

    def surface(self, f: F, term: str, typed: str) -> str:
        """`term` of field `f` as written in the turns, the form closest to `typed`."""
        raise NotImplementedError

    # -- the walk -----------------------------------------------------------------------------------

    def compile(self, own_only: bool = False) -> Q | None:
        """The query (None: the tree has nothing to look for, so every document matches)."""
        root = self.request.query.root
        self.fields = self.fields_for(field_scope(self.request, own_only, self.indexed_keys()))
        self.expanded = 0
        self.negated = 0
        return None if root is None else self.node(root)

    def node(self, node: Node) -> Q | None:
        if isinstance(node, And):
            return self._and(node.children)
        if isinstance(node, Or):
            built = [q for q in (self.node(c) for c in node.children) if q is not None]
            return self.any_of(built) if built else None
        if isinstance(node, Not):
            return self._and((node,))
        if isinstance(node, Word):
            return self._word(node.text)
        if isinstance(node, Phrase):
            return self.text(node.text, self.fields, phrase=True)
        if isinstance(node, Prefix):
            return self._prefix(node.text)
        if isinstance(node, FieldTerm):
            return self._field_term(node)
        raise TypeError(f"unknown query node {node!r}")

    def _and(self, children: Sequence[Node]) -> Q | None:
        positive = [q for q in (self.node(c) for c in children if not isinstance(c, Not)) if q is not None]
        self.negated += 1
        negative = [q for q in (self.node(c.child) for c in children if isinstance(c, Not)) if q is not None]
        self.negated -= 1
        if not positive and not negative:
            return None
        return self.all_of(positive, negative)

    def text(self, text: str, fields: list[F], phrase: bool) -> Q | None:
        """`text` in each field with that field's analysis, only where the field holds every word."""
        per_field: list[Q] = []
        for f in fields:
            groups = analyzed(self.key_of(f), text)
            # Only terms the field holds: a word is looked for in dozens of fields and most lack it.
            present = [[t for t in g if self.frequency(f, t)] for g in groups]
            if not present or not all(present):
                continue
            # A word cut into bigrams (Korean, Thai) is the phrase of them, not its bigrams anywhere.
            per_field.append(self.words(f, present, phrase or self.key_of(f) in analysis.BIGRAM_KEYS))
        if not per_field:
            # Analyzable but found nowhere: matches nothing (None would drop the word from an AND).
            return self.nothing() if any(analyzed(self.key_of(f), text) for f in fields) else None
        return self.any_of(per_field)

    def _word(self, text: str) -> Q | None:
        exact = self.text(text, self.fields, phrase=False)
        close = self.fuzzy.get(text, []) if not self.negated else []
        widened = self.widened.get(text, []) if not self.negated else []
        inflected = self.inflected.get(text, []) if not self.negated else []
        if not close and not widened and not inflected:
            return exact
        parts = [] if exact is None or self._is_nothing(exact) else [exact]
        for own, term in [*close, *inflected]:
            key = self.key_of(own)
            parts += [
                self.words(f, [[term]], phrase=False, boost=FUZZY_BOOST)
                for f in self.fields
                if self.key_of(f) == key and self.frequency(f, term)
            ]
        for f, prefix in widened:
            if f in self.fields:
                parts += self.prefix_terms(f, prefix, WIDEN_TERMS, boost=FUZZY_BOOST)[1]
        return self.any_of(parts) if parts else exact

    def _is_nothing(self, q: Q) -> bool:
        return q is self.nothing()

    def _prefix(self, text: str) -> Q:
        parts: list[Q] = []
        for f in self.fields:
            groups = analyzed(self.key_of(f), text)
            if len(groups) != 1:
                continue
            count, found = self.prefix_terms(f, groups[0][0], MAX_PREFIX_EXPANSIONS - self.expanded)
            self.expanded += count
            if self.expanded > MAX_PREFIX_EXPANSIONS:
                raise prefix_refused(text)
            parts += found
        return self.any_of(parts) if parts else self.nothing()

    def _field_term(self, node: FieldTerm) -> Q:
        value = node.value.strip()
        exact = self.field_value(node, value)
        if node.field not in ("speaker", "topic"):
            return exact
        part = NAMES if node.field == "speaker" else LABELS
        by_words = self.text(value, self.fields_for([Scope(part, GENERIC)]), phrase=True)
        if by_words is None or self._is_nothing(by_words):
            return exact
        return self.any_of([exact, by_words])

    # -- did-you-mean and typos ---------------------------------------------------------------------

    def _tokens(self, word: str, fields: list[F]) -> dict[F, str]:
        """The word's one token in each field whose analysis keeps it one word."""
        return {f: groups[0][0] for f in fields if len(groups := analyzed(self.key_of(f), word)) == 1}

    def _candidate_fields(self) -> tuple[list[F], list[F]]:
        """(every field in scope, the turn text fields among them): close terms come from the turns'
        own text only, fewer terms to walk and words read back from the turn's text."""
        scope = field_scope(self.request, indexed=self.indexed_keys())
        every = self.fields_for(scope)
        own = self.fields_for([s for s in scope if s.part == TEXT])
        return every, own

    def prepare_typos(self) -> None:
        """Pick the words to correct and their close terms (none unless the request allows it)."""
        if not self.request.typos:
            return
        words = typo_words(self.request.query.root)
        if not words:
            return
        every, own = self._candidate_fields()
        tokens = {word: self._tokens(word, every) for word in words}
        self.load_frequencies([(f, t) for found in tokens.values() for f, t in found.items() if t])
        for word in words:
            held = max((self.frequency(f, t) for f, t in tokens[word].items() if t), default=0)
            if held > TYPO_RARE_DOCS:
                continue
            own_tokens = [(f, tokens[word][f]) for f in own if tokens[word].get(f)]
            close = self.close_terms(own_tokens, typo_distance(word)) if own_tokens else []
            if not close:  # no stem near the typed one's: the typo may have changed the stem
                close = self._typed_close_terms(word, [f for f, _ in own_tokens])
            if held:  # found a little: corrected only towards much commoner words
                close = [c for c in close if c[2] >= held * TYPO_RARE_RATIO]
            if close:
                self.fuzzy[word] = [(f, term) for f, term, _ in close[:TYPO_TERMS]]
        keys = {self.key_of(f) for found in self.fuzzy.values() for f, _ in found}
        if keys:
            fields = [f for f in every if self.key_of(f) in keys]
            self.load_frequencies(
                [(f, term) for found in self.fuzzy.values() for own_f, term in found for f in fields]
            )

    def _typed_close_terms(self, word: str, fields: list[F]) -> list[tuple[F, str, int]]:
        """(field, term, documents) of the words one edit from `word` as typed, commonest first:
        the closest there are, found even where the typo changed the stem."""
        candidates: list[tuple[F, str]] = []
        for f in fields:
            key = self.key_of(f)
            form = analysis.typing_form(key, word)
            typed = analysis.form_term(key, form)
            terms = {analysis.form_term(key, variant) for variant in typo_variants(form)}
            candidates += [(f, term) for term in terms if term and term != typed]
        candidates = candidates[: self.lookups_left]
        self.lookups_left -= len(candidates)
        return sorted(self.known_terms(candidates), key=lambda c: -c[2]) if candidates else []

    def prepare_widening(self) -> None:
        """Other forms of the words, for a search that found nothing with every word as typed (the
        request's `widen`): each word is also looked for as the terms of the turns' text that begin
        as it does, with the shortest prefix of WIDEN_PREFIX letters or more that begins at most
        WIDEN_TERMS terms (Finnish `leikata` also finds `leikkas`, Ukrainian `підприємство` finds
        `підприємством`). A prefix beginning more terms than that says little of the word: none."""
        if not self.request.widen:
            return
        words = widen_words(self.request.query.root)
        if not words:
            return
        _, own = self._candidate_fields()
        wanted: dict[tuple[str, F, str], list[str]] = {}  # (word, field, form) -> its beginnings
        for word in words:
            for f in own:
                key = self.key_of(f)
                for form in analysis.typing_forms(key, word):
                    if analysis.form_term(key, form) is not None and len(form) >= WIDEN_SHORTEST:
                        wanted[(word, f, form)] = [form[:n] for n in range(WIDEN_PREFIX, len(form))]
        sizes = self.prefix_sizes([(f, p) for (_, f, _), prefixes in wanted.items() for p in prefixes])
        for (word, f, _), prefixes in wanted.items():
            fitting = [p for p in prefixes if 0 < sizes.get((f, p), 0) <= WIDEN_TERMS]
            if fitting and (f, fitting[0]) not in self.widened.get(word, []):
                self.widened.setdefault(word, []).append((f, fitting[0]))
        # Where a language's inflection changes a word's beginning (Hebrew tenses, Indonesian se-), no
        # prefix joins its forms: the forms spelt by rule that the turns hold, looked up at once.
        spelt: dict[str, list[tuple[F, str]]] = {}  # word -> (field, term) of its inflections
        for word in words:
            of_word: dict[tuple[F, str], None] = {}
            for f in own:
                key = self.key_of(f)
                for form in analysis.inflections(key, word):
                    if term := analysis.form_term(key, form):
                        of_word[(f, term)] = None
            spelt[word] = list(of_word)[:WIDEN_INFLECTIONS]
        candidates = list(dict.fromkeys(c for found in spelt.values() for c in found))
        held = {(f, term) for f, term, _ in self.known_terms(candidates)} if candidates else set()
        for word, found in spelt.items():
            if inflected := [c for c in found if c in held]:
                self.inflected[word] = inflected

    def widened_prefixes(self) -> tuple[str, ...]:
        """The prefixes the words were also looked for as (`prepare_widening`), and their inflections
        (a term begins itself): what the highlighter marks besides the words."""
        found = {prefix for found in self.widened.values() for _, prefix in found}
        return tuple(sorted(found | {term for found in self.inflected.values() for _, term in found}))

    def correction(self) -> str | None:
        """The query as typed with each corrected word as written in the archive; None if none."""
        words = {word: self._written(word, close) for word, close in self.fuzzy.items()}
        return self.request.with_words_replaced(words)

    def _written(self, word: str, close: list[tuple[F, str]]) -> str:
        return closest_word(word, close, self.surface) or self.surface(close[0][0], close[0][1], word)

    def suggest(self) -> str | None:
        """Did-you-mean: each word found nowhere replaced by the commonest close term of the turn
        text in scope, written as in the archive; the reader's other words as typed."""
        if self.request.query.root is None:
            return None
        every, own = self._candidate_fields()
        words: dict[str, str] = {}
        for word in self.request.query.plain_words():
            tokens = self._tokens(word, every)
            self.load_frequencies([(f, t) for f, t in tokens.items() if t])
            if any(self.frequency(f, t) for f, t in tokens.items() if t):
                continue  # a known word
            own_tokens = [(f, tokens[f]) for f in own if tokens.get(f)]
            stems = [(f, term) for f, term, _ in self.close_terms(own_tokens, None)] if own_tokens else []
            best = closest_word(word, stems, self.surface)
            if best is not None:
                words[word] = best
        return self.request.with_words_replaced(words)
