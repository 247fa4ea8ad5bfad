"""SearchParameters: what a search asks for, read and checked in this one place.

The search page, the API and every other caller of `search_turns()` speak these parameters. A
request's query string is read with `SearchParameters.from_query()`, which keeps what is valid
and names what is not (the API answers 400 with those errors; the page drops a bad filter);
parameters built in code are checked when built, and a value no reader could have meant raises
`QueryRefused` with a message for the reader.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from django.conf import settings

from archive.models import AnswerStatus, TurnKind
from archive.search.backends.base import SORTS
from archive.search.errors import QueryRefused

MAX_PAGE = 500  # deeper pages cost more than anyone reads; narrow the search instead
PAGE_BEYOND = f"Pages beyond {MAX_PAGE} are not available; please narrow the search."
MAX_FILTER_CHARS = {"language": 35, "speaker": 200, "topic": 200}  # a BCP-47 tag; a slug
CHOICES: dict[str, tuple[str, ...]] = {
    "kind": tuple(TurnKind.values),
    "answered": tuple(AnswerStatus.values),
    "sort": SORTS,
}
# As Django REST framework reads a boolean: what the API has always accepted.
TRUE_WORDS = frozenset({"t", "y", "yes", "true", "on", "1"})
FALSE_WORDS = frozenset({"f", "n", "no", "false", "off", "0"})


def default_page_size() -> int:
    return min(settings.SEARCH_PAGE_SIZE, max_page_size())


def max_page_size() -> int:
    return int(settings.API_MAX_PAGE_SIZE)


@dataclass(frozen=True, kw_only=True)
class SearchParameters:
    q: str = ""
    language: str = ""
    speaker: str = ""  # a speaker's slug
    topic: str = ""  # a topic's slug
    kind: str = ""  # a TurnKind
    answered: str = ""  # questions with this AnswerStatus
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    page: int = 1
    page_size: int = field(default_factory=default_page_size)
    typos: bool = True  # also search close terms of words found nowhere (see archive.search.compiler)
    # Only turns of these transcripts (by id): what feeds and alerts ask of newly published ones.
    # Set in code, never read from a request.
    transcripts: frozenset[int] | None = None

    def __post_init__(self) -> None:
        for name, allowed in CHOICES.items():
            value = getattr(self, name)
            if value and value not in allowed:
                label = {"answered": "answer status"}.get(name, name)
                raise QueryRefused(f"Unknown {label} “{value}”: use one of {', '.join(allowed)}.")
        if self.page > MAX_PAGE:
            raise QueryRefused(PAGE_BEYOND)
        # Too small or too large a page is the nearest allowed one, not an error.
        object.__setattr__(self, "page", max(1, self.page))
        object.__setattr__(self, "page_size", min(max(1, self.page_size), max_page_size()))
        if self.transcripts is not None and not isinstance(self.transcripts, frozenset):
            object.__setattr__(self, "transcripts", frozenset(self.transcripts))

    @classmethod
    def from_query(
        cls, data: Mapping[str, Any], **overrides: Any
    ) -> tuple[SearchParameters, dict[str, list[str]]]:
        """The parameters a query string asks for, and what was wrong with the others.

        A missing or invalid parameter takes its default; `errors` maps each invalid one to its
        messages. `overrides` are defaults of the caller's (the page's page size).
        """
        values: dict[str, Any] = dict(overrides)
        errors: dict[str, list[str]] = {}
        for spec in fields(cls):
            name = spec.name
            if name == "transcripts" or name not in data:
                continue
            raw = data[name]
            if not isinstance(raw, str):
                raw = str(raw)
            try:
                values[name] = _read(name, raw)
            except ValueError as exc:
                errors[name] = [str(exc)]
        return cls(**values), errors  # every value was checked above: this raises nothing


def _read(name: str, raw: str) -> Any:
    """One parameter of a query string as its type; ValueError (the message) when it is not."""
    if name == "q":
        # The query parser turns control characters into spaces and says so; NUL is one too.
        return raw.replace("\x00", "\x01")
    if name in MAX_FILTER_CHARS:
        raw = raw.strip()
        if len(raw) > MAX_FILTER_CHARS[name]:
            raise ValueError(f"Ensure this field has no more than {MAX_FILTER_CHARS[name]} characters.")
        return raw
    if name in CHOICES:
        if raw and raw not in CHOICES[name]:
            raise ValueError(f"“{raw}” is not a valid choice: use one of {', '.join(CHOICES[name])}.")
        return raw or ("relevance" if name == "sort" else "")
    if name in ("date_from", "date_to"):
        if not raw:
            return None
        try:
            if len(raw) == 10:  # YYYY-MM-DD only (fromisoformat also takes YYYYMMDD)
                return date.fromisoformat(raw)
        except ValueError:
            pass
        raise ValueError("Date has wrong format. Use one of these formats instead: YYYY-MM-DD.")
    if name in ("page", "page_size"):
        high = MAX_PAGE if name == "page" else max_page_size()
        if not (raw.isdecimal() and len(raw) <= 9):
            raise ValueError("A valid integer is required.")
        number = int(raw)
        if not 1 <= number <= high:
            raise ValueError(f"Ensure this value is between 1 and {high}.")
        return number
    if name == "typos":
        word = raw.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError("Must be a valid boolean.")
    raise ValueError(f"unknown parameter {name}")  # a field added above without a reader here
