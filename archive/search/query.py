"""The reader's query language, parsed into a small tree any backend can translate.

    words            all must match          "exact phrase"     the words in that order
    a OR b           either                  -word / -"phrase"  excluded
    (a OR b) c       grouping                word*              prefix, 3+ characters first
    speaker:peres  topic:education  kind:question  lang:es      fields
    answered:no  answered:yes  answered:partly  answered:deflected   questions by answer status

Any input gets an answer: malformed parts (an unbalanced quote or parenthesis, a dangling
OR or minus, an empty field) are repaired and reported in `notices`; costly queries (too
long, too deeply nested, too many words, a short or leading wildcard) raise `QueryRefused`.
Parsing never recurses deeper than `MAX_DEPTH`, so no input can exhaust the stack.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from archive.search.errors import QueryRefused

MAX_QUERY_CHARS = 500
MAX_DEPTH = 8
MAX_CLAUSES = 32
MIN_PREFIX_CHARS = 3
FIELDS = ("speaker", "topic", "kind", "lang", "answered")
FIELD_ALIASES = {
    "language": "lang",
    "lang": "lang",
    "speaker": "speaker",
    "topic": "topic",
    "kind": "kind",
    "answered": "answered",
}
# `answered:` values and the answer statuses (archive.models.AnswerStatus) each stands for:
# "no" is every question that did not get an answer, deflected ones included.
ANSWERED_VALUES: dict[str, tuple[str, ...]] = {
    "yes": ("answered",),
    "no": ("unanswered", "deflected"),
    "answered": ("answered",),
    "partly": ("partly",),
    "unanswered": ("unanswered",),
    "deflected": ("deflected",),
}


def answer_statuses(value: str) -> tuple[str, ...]:
    """The answer statuses an `answered:` value matches; () for an unknown value (matches nothing)."""
    return ANSWERED_VALUES.get(value.strip().lower(), ())


# Straight, curly and low quotes all delimit phrases.
_QUOTES = '"“”„«»'
_TOKEN_RE = re.compile(
    r"""
    (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<phrase>[-]?(?:[A-Za-z]+:)?["“„«][^"”“»]*["”“»]?)
  | (?P<word>[^\s()"“”„«»]+)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Word:
    text: str


@dataclass(frozen=True)
class Phrase:
    text: str


@dataclass(frozen=True)
class Prefix:
    text: str  # without the trailing "*"


@dataclass(frozen=True)
class FieldTerm:
    field: str  # one of FIELDS
    value: str
    phrase: bool = False


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Word | Phrase | Prefix | FieldTerm | Not | And | Or


@dataclass
class ParsedQuery:
    root: Node | None  # None: no words at all (browse by filters)
    notices: list[str] = field(default_factory=list)

    def positive_leaves(self) -> list[Word | Phrase | Prefix]:
        """The words, phrases and prefixes that can match (not excluded ones): what to highlight."""
        found: list[Word | Phrase | Prefix] = []
        stack: list[Node] = [self.root] if self.root is not None else []
        while stack:
            node = stack.pop()
            if isinstance(node, Word | Phrase | Prefix):
                found.append(node)
            elif isinstance(node, And | Or):
                stack.extend(reversed(node.children))
        return found

    def plain_words(self) -> list[str]:
        return [leaf.text for leaf in self.positive_leaves() if isinstance(leaf, Word)]


def clean_input(q: str) -> tuple[str, bool]:
    """NFC, control characters (NUL included) turned into spaces; True when any were found."""
    cleaned = []
    found = False
    for ch in unicodedata.normalize("NFC", q):
        if unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") and ch not in "\t\n\r":
            found = True
            cleaned.append(" ")
        else:
            cleaned.append(ch)
    return "".join(cleaned), found


def parse_query(q: str | None) -> ParsedQuery:
    """The tree of `q`, repaired where needed; raises QueryRefused for costly input."""
    if not q or not q.strip():
        return ParsedQuery(None)
    if len(q) > MAX_QUERY_CHARS:
        raise QueryRefused(
            f"This search is too long ({len(q)} characters). Please use at most {MAX_QUERY_CHARS}."
        )
    text, had_controls = clean_input(q)
    notices: list[str] = []
    if had_controls:
        notices.append("Control characters in the search were ignored.")
    tokens = _tokenize(text, notices)
    _check_nesting(tokens)
    parser = _Parser(tokens, notices)
    root = parser.parse()
    if parser.clauses > MAX_CLAUSES:
        raise QueryRefused(
            f"This search has too many words ({parser.clauses}). Please use at most {MAX_CLAUSES}."
        )
    return ParsedQuery(root, notices)


# -- tokens ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "OR", "-", "phrase", "word", "field"
    text: str = ""
    field: str = ""
    negated: bool = False


def _tokenize(text: str, notices: list[str]) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup
        value = match.group()
        if kind == "lparen":
            tokens.append(_Token("("))
        elif kind == "rparen":
            tokens.append(_Token(")"))
        elif kind == "phrase":
            tokens.append(_phrase_token(value, notices))
        else:
            tokens.extend(_word_tokens(value, notices))
    return tokens


def _phrase_token(value: str, notices: list[str]) -> _Token:
    negated = value.startswith("-")
    value = value.lstrip("-")
    field_name = ""
    head, sep, rest = value.partition(":")
    if sep and head.lower() in FIELD_ALIASES and rest[:1] in _QUOTES:
        field_name, value = FIELD_ALIASES[head.lower()], rest
    body = value[1:]
    if body[-1:] in _QUOTES and body:
        body = body[:-1]
    else:
        notices.append("An unbalanced quote was ignored.")
    return _Token("phrase", body.strip(), field=field_name, negated=negated)


def _word_tokens(value: str, notices: list[str]) -> list[_Token]:
    if value == "OR":
        return [_Token("OR")]
    negated = False
    if value.startswith("-") and len(value) > 1:
        negated, value = True, value[1:]
    elif value == "-":
        notices.append("A minus sign with nothing after it was ignored.")
        return []
    head, sep, rest = value.partition(":")
    if sep and head.lower() in FIELD_ALIASES:
        if not rest:
            notices.append(f"“{head}:” needs a value right after the colon; it was ignored.")
            return []
        return [_Token("field", rest, field=FIELD_ALIASES[head.lower()], negated=negated)]
    return [_Token("word", value, negated=negated)]


def _check_nesting(tokens: list[_Token]) -> None:
    depth = deepest = 0
    for token in tokens:
        if token.kind == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif token.kind == ")" and depth:
            depth -= 1
    if deepest > MAX_DEPTH:
        raise QueryRefused(
            f"This search nests parentheses {deepest} deep. Please use at most {MAX_DEPTH} levels."
        )


# -- grammar --------------------------------------------------------------------------------------


class _Parser:
    """query := or; or := and ("OR" and)*; and := unary+; unary := ["-"] atom; atom := "(" or ")" | leaf"""

    def __init__(self, tokens: list[_Token], notices: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.notices = notices
        self.clauses = 0
        self.depth = 0

    def parse(self) -> Node | None:
        node = self._or()
        while self.pos < len(self.tokens):  # stray ")" at top level
            self.pos += 1
            self._notice("An unmatched closing parenthesis was ignored.")
            more = self._or()
            node = _combine_and([n for n in (node, more) if n is not None])
        return node

    def _notice(self, message: str) -> None:
        if message not in self.notices:
            self.notices.append(message)

    def _peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _or(self) -> Node | None:
        branches: list[Node] = []
        pending_or = False
        while True:
            node = self._and()
            if node is not None:
                branches.append(node)
            elif pending_or:
                self._notice("An OR with nothing after it was ignored.")
            token = self._peek()
            if token is not None and token.kind == "OR":
                self.pos += 1
                if not branches:
                    self._notice("An OR with nothing before it was ignored.")
                pending_or = True
                continue
            break
        if not branches:
            return None
        return branches[0] if len(branches) == 1 else Or(tuple(branches))

    def _and(self) -> Node | None:
        items: list[Node] = []
        while True:
            token = self._peek()
            if token is None or token.kind in ("OR", ")"):
                break
            node = self._unary()
            if node is not None:
                items.append(node)
        return _combine_and(items) if items else None

    def _unary(self) -> Node | None:
        token = self.tokens[self.pos]
        if token.kind == "(":
            self.pos += 1
            self.depth += 1
            inner = self._or()
            self.depth -= 1
            closing = self._peek()
            if closing is not None and closing.kind == ")":
                self.pos += 1
            else:
                self._notice("An unclosed parenthesis was closed for you.")
            return inner
        self.pos += 1
        leaf = self._leaf(token)
        if leaf is None:
            return None
        self.clauses += 1
        return Not(leaf) if token.negated else leaf

    def _leaf(self, token: _Token) -> Node | None:
        if token.kind == "phrase":
            if not token.text:
                return None
            if token.field:
                return FieldTerm(token.field, token.text, phrase=True)
            return Phrase(token.text)
        if token.kind == "field":
            return FieldTerm(token.field, token.text)
        return _word_or_prefix(token.text)


def _word_or_prefix(text: str) -> Node | None:
    if "*" not in text:
        return Word(text)
    stem = text.rstrip("*")
    if "*" in stem or not stem:
        raise QueryRefused(
            f"A wildcard (*) can only end a word, after at least {MIN_PREFIX_CHARS} characters, e.g. educ*."
        )
    if len(stem) < MIN_PREFIX_CHARS:
        raise QueryRefused(
            f"“{text}” is too short a prefix: please type at least {MIN_PREFIX_CHARS} characters before *."
        )
    return Prefix(stem)


def _combine_and(items: list[Node]) -> Node | None:
    if not items:
        return None
    if len(items) == 1:
        return items[0]
    flat: list[Node] = []
    for item in items:
        flat.extend(item.children if isinstance(item, And) else (item,))
    return And(tuple(flat))
