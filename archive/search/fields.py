"""Whoosh field types of the archive's schema (importable: Whoosh pickles them into the index)."""

from __future__ import annotations

from typing import Any

from whoosh import fields as wf

# Values remembered per field: the turns of one transcript arrive together, so the last few
# titles (or speakers' names) are all that repeats.
_REMEMBERED = 64


class RepeatedText(wf.TEXT):  # type: ignore[misc]
    """A TEXT field for values many documents share (a transcript's title on each of its turns).

    `index()` is what a build spends its time on: the analysis and the encoding of postings.
    Every turn of a transcript carries the same title and mostly the same few speakers, so the
    result for a value is remembered and reused; the postings are identical to TEXT's.
    """

    def index(self, value: Any, **kwargs: Any) -> Any:
        if kwargs or not isinstance(value, str):
            return super().index(value, **kwargs)
        memo: dict[str, list[Any]] | None = self.__dict__.get("_memo")
        if memo is None:
            memo = self.__dict__["_memo"] = {}
        found = memo.get(value)
        if found is None:
            if len(memo) >= _REMEMBERED:
                memo.clear()
            found = memo[value] = list(super().index(value))
        return found

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_memo", None)  # a cache, never part of the pickled schema
        return state
