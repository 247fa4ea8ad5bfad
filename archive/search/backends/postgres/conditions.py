"""What a query compiles to on PostgreSQL: tsquery expressions over the document's vector, SQL
conditions over its columns, and nothing; joined by AND, OR and NOT."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal


@dataclass(frozen=True)
class Ts:
    """A tsquery expression over the document's vector.

    `loose`: the same expression with its phrases as all their words, where that holds every
    document the phrases do (not under NOT); "" if it has no phrase to loosen. The GIN index
    answers it without rechecking each match's vector, which a phrase (positions) needs.
    """

    text: str
    loose: str = ""

    @property
    def without_phrases(self) -> str:
        return self.loose or self.text


@dataclass(frozen=True)
class Sql:
    """A SQL condition over the columns (field terms mix columns and the vector)."""

    expr: str
    params: tuple[Any, ...] = ()


class Nothing:
    """A part that matches no document (a word found nowhere), as Whoosh's NullQuery."""


NOTHING = Nothing()
Part = Ts | Sql | Nothing


ROW_VECTOR = "d.tsv"  # the document row's vector, which every tsquery is tested against


def as_sql(part: Ts | Sql, vector: str = ROW_VECTOR) -> Sql:
    """`part` as a SQL condition, its tsqueries tested against `vector` (the row's, or a copy)."""
    if isinstance(part, Ts):
        return Sql(f"{vector} @@ %s::tsquery", (part.text,))
    if vector == ROW_VECTOR:
        return part
    return Sql(part.expr.replace(f"{ROW_VECTOR} @@ ", f"{vector} @@ "), part.params)


def join_parts(parts: list[Ts | Sql], operator: Literal["AND", "OR"]) -> Ts | Sql:
    """The parts joined by AND or OR: one tsquery while every part is one, SQL otherwise."""
    if len(parts) == 1:
        return parts[0]
    ts_parts = [p for p in parts if isinstance(p, Ts)]
    if len(ts_parts) == len(parts):
        ts_operator = " & " if operator == "AND" else " | "
        loose = ""
        if any(p.loose for p in ts_parts):
            loose = ts_operator.join(f"({p.without_phrases})" for p in ts_parts)
        return Ts(ts_operator.join(f"({p.text})" for p in ts_parts), loose)
    sql = [as_sql(p) for p in parts]
    return Sql("(" + f" {operator} ".join(s.expr for s in sql) + ")", tuple(v for s in sql for v in s.params))


def not_part(part: Ts | Sql) -> Ts | Sql:
    if isinstance(part, Ts):
        return Ts(f"!({part.text})")  # never loosened: NOT all the words excludes more than NOT the phrase
    return Sql(f"NOT {part.expr}", part.params)
