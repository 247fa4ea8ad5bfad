"""How the PostgreSQL backend scores and orders its matches."""

from __future__ import annotations

import math
from typing import Any

from archive.search.backends.base import SearchRequest
from archive.search.backends.postgres.compiler import Built, QueryBuilder
from archive.search.backends.postgres.conditions import ROW_VECTOR, Nothing, Sql, Ts, as_sql

# ts_rank's weights of the field codes' weight letters (schema.WEIGHT_LETTER): Whoosh boosts the
# title and the speaker's names by 1.2 and translations by 0.8; ts_rank takes weights in [0, 1],
# so all are divided by 1.2.
RANK_WEIGHTS = "{0.0, 0.667, 1.0, 0.833}"  # D (unused), C, B, A
RANK_NORMALIZATION = 1  # divide by 1 + log(length): longer turns rank a little lower, as with BM25

NO_SCORE = (Sql("0.0"), Sql("(SELECT 1) r"))  # (the score, the ranks it reads) of a sort by date


def idf(documents: int, frequency: int) -> float:
    """Whoosh's inverse document frequency."""
    return math.log(documents / (frequency + 1)) + 1.0


def score(builder: QueryBuilder, built: Built) -> tuple[Sql, Sql, Sql | None]:
    """(the score, the LATERAL subquery of ranks it reads, the search's condition on the row).

    BM25-like: each word's ts_rank in each field it matches (its frequency there, weighted by
    field, normalized by the turn's length) times that word's inverse document frequency in
    that field; a word common in Japanese titles weighs less than the same characters in
    Chinese text. Turns that say the words themselves (or in their aligned translation) add
    their own-field score again, as the Whoosh backend's AndMaybe does.

    A search with phrases finds its candidates by their words (`Ts.loose`), which the GIN index
    answers without reading each candidate's vector, and checks the phrases on the copy of the
    vector the ranks read: a phrase's recheck read each candidate's vector once more (`"press
    secretary"` at a million turns: 226,125 of them).
    """
    condition = built.condition
    matched = row_condition(built)
    own = builder.build(own_only=True)
    operands = list(dict.fromkeys([*built.scored, *own.scored]))
    if not operands:
        return (*NO_SCORE, matched)
    column = {operand: f"r.r{i}" for i, operand in enumerate(operands)}
    ranks = [
        f"ts_rank('{RANK_WEIGHTS}'::float4[], x.v, %s::tsquery, {RANK_NORMALIZATION}) AS r{i}"
        for i in range(len(operands))
    ]
    params: tuple[Any, ...] = tuple(operands)
    documents = builder.vocabulary.documents

    def weighted(scored: dict[str, tuple[int, float]]) -> str:
        return " + ".join(
            f"{idf(documents, frequency) * boost:.6f} * {column[operand]}"
            for operand, (frequency, boost) in scored.items()
        )

    total = weighted(built.scored) if built.scored else "0.0"
    if own.condition is not None and not isinstance(own.condition, Nothing) and own.scored:
        own_condition = as_sql(own.condition, vector="x.v")
        ranks.append(f"({own_condition.expr}) AS own")
        params += own_condition.params
        total = f"{total} + CASE WHEN r.own THEN {weighted(own.scored)} ELSE 0.0 END"
    if isinstance(condition, Ts) and condition.loose:
        exact = as_sql(condition, vector="x.v")
        ranks.append(f"({exact.expr}) AS exact")
        params += exact.params
        loose = as_sql(Ts(condition.loose))
        matched = Sql(f"{loose.expr} AND r.exact", loose.params)
    # ts_rank and @@ detoast the vector they are given on every call: a long turn's vector, kept
    # out of line, was read again for each word of the search (`活動 特別` at a million turns:
    # 193,389 buffers read for 6,390 matches). It is detoasted once per match, in a subquery the
    # planner keeps apart (OFFSET 0), and every rank reads that copy. An array constructor detoasts
    # its elements and subscripting it points into the array: a copy without the cost of
    # `tsv || ''`, which rebuilt the vector lexeme by lexeme (the ranking of the mix's slowest
    # searches took a third to a half less time).
    lateral = Sql(
        f"LATERAL (SELECT {', '.join(ranks)} FROM (SELECT (ARRAY[{ROW_VECTOR}])[1] AS v OFFSET 0) x) r",
        params,
    )
    return Sql(f"({total})"), lateral, matched


def row_condition(built: Built) -> Sql | None:
    """The search's condition on a row, as it stands (None: every row)."""
    return as_sql(built.condition) if isinstance(built.condition, Ts | Sql) else None


def sorted_by_date(request: SearchRequest) -> bool:
    return request.sort != "relevance" or request.query.root is None


def order(request: SearchRequest) -> str:
    """The ORDER BY of the matches: by score, else by date, then in the transcript's order."""
    if not sorted_by_date(request):
        return "score DESC, turn_id"
    direction = "ASC" if request.sort == "date" else "DESC"
    return f"COALESCE(day, '0001-01-01'::date) {direction}, slug, position"
