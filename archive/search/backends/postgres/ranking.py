"""How the PostgreSQL backend scores and orders its matches."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from archive.search.backends.base import SearchRequest
from archive.search.backends.postgres.compiler import Built, QueryBuilder
from archive.search.backends.postgres.conditions import ROW_VECTOR, Nothing, Sql, Ts, as_sql, join_parts
from archive.search.backends.postgres.schema import CONTEXTS, DOCUMENTS

# ts_rank's weights of the field codes' weight letters (schema.WEIGHT_LETTER): Whoosh boosts the
# title and the speaker's names by 1.2 and translations by 0.8; ts_rank takes weights in [0, 1],
# so all are divided by 1.2.
RANK_WEIGHTS = "{0.0, 0.667, 1.0, 0.833}"  # D (unused), C, B, A
RANK_NORMALIZATION = 1  # divide by 1 + log(length): longer turns rank a little lower, as with BM25

# The columns of a match the statement reads after scoring it (the page, the facets).
MATCH_COLUMNS = (
    "d.turn_id, d.kind, d.speaker, d.language, d.day, d.topics, d.slug, d.position, d.answer_status"
)
# Matches through their context alone are ranked per context (see `matches`) once an operand of a
# context field is in this many documents; below it, reading their vectors costs less than a
# second GIN scan. The frequency of one operand cannot tell whether the search's words are together
# in many contexts: at a million turns two Hebrew searches of the mix, whose words share one or
# two titles, take 6-12 ms longer split than not (counting their contexts first cost 3-5 ms).
CONTEXT_SPLIT_MIN = 5000


def idf(documents: int, frequency: int) -> float:
    """Whoosh's inverse document frequency."""
    return math.log(documents / (frequency + 1)) + 1.0


def matches(builder: QueryBuilder, built: Built, request: SearchRequest, filters: list[Sql]) -> Sql:
    """The SELECT of the search's matches: MATCH_COLUMNS and their score.

    BM25-like: each word's ts_rank in each field it matches (its frequency there, weighted by
    field, normalized by the turn's length) times that word's inverse document frequency in
    that field; a word common in Japanese titles weighs less than the same characters in
    Chinese text. Turns that say the words themselves (or in their aligned translation) add
    their own-field score again, as the Whoosh backend's AndMaybe does.

    A search with phrases finds its candidates by their words (`Ts.loose`), which the GIN index
    answers without reading each candidate's vector, and checks the phrases on the copy of the
    vector the ranks read: a phrase's recheck read each candidate's vector once more (`"press
    secretary"` at a million turns: 226,125 of them). A search whose words are in many titles or
    speakers' names ranks the matches through those alone per context (`_through_context`).
    """
    matched = row_condition(built)
    own = builder.build(own_only=True)
    operands = list(dict.fromkeys([*built.scored, *own.scored]))
    if sorted_by_date(request) or not operands:
        return _select("0.0", Sql(""), [matched, *filters])
    documents = builder.vocabulary.documents
    column = {operand: f"r.r{i}" for i, operand in enumerate(operands)}
    ranks = [_rank(f"r{i}", "x.v", RANK_NORMALIZATION) for i in range(len(operands))]
    params: tuple[Any, ...] = tuple(operands)
    total = _weighted(documents, built.scored, column.__getitem__) if built.scored else "0.0"
    if own.condition is not None and not isinstance(own.condition, Nothing) and own.scored:
        own_condition = as_sql(own.condition, vector="x.v")
        ranks.append(f"({own_condition.expr}) AS own")
        params += own_condition.params
        own_score = _weighted(documents, own.scored, column.__getitem__)
        total = f"{total} + CASE WHEN r.own THEN {own_score} ELSE 0.0 END"
    condition = built.condition
    checked = isinstance(condition, Ts) and bool(condition.loose)
    if checked and isinstance(condition, Ts):
        exact = as_sql(condition, vector="x.v")
        ranks.append(f"({exact.expr}) AS exact")
        params += exact.params
        matched = _found_by(condition.loose, checked)
    # ts_rank and @@ detoast the vector they are given on every call: a long turn's vector, kept
    # out of line, was read again for each word of the search (`活動 特別` at a million turns:
    # 193,389 buffers read for 6,390 matches). It is detoasted once per match, in a subquery the
    # planner keeps apart (OFFSET 0), and every rank reads that copy. An array constructor detoasts
    # its elements and subscripting it points into the array: a copy without the cost of
    # `tsv || ''`, which rebuilt the vector lexeme by lexeme (the ranking of the mix's slowest
    # searches took a third to a half less time).
    lateral = Sql(
        f"CROSS JOIN LATERAL (SELECT {', '.join(ranks)} "
        f"FROM (SELECT (ARRAY[{ROW_VECTOR}])[1] AS v OFFSET 0) x) r",
        params,
    )
    in_context = {op: scored for op, scored in built.scored.items() if op in built.in_context}
    if not (
        isinstance(condition, Ts)
        and not built.excludes
        and in_context
        and max(frequency for frequency, _ in in_context.values()) >= CONTEXT_SPLIT_MIN
    ):
        return _select(f"({total})", lateral, [matched, *filters])
    # The matches holding no operand but their context's, ranked per context; the others as above.
    others = " | ".join(f"({op})" for op in operands if op not in in_context)
    plain = condition.without_phrases
    sql = _through_context(documents, in_context, condition, others, filters)
    if not others:
        return sql
    rich = _select(f"({total})", lateral, [_found_by(f"({plain}) & ({others})", checked), *filters])
    return Sql(f"{sql.expr} UNION ALL {rich.expr}", (*sql.params, *rich.params))


def _weighted(documents: int, scored: dict[str, tuple[int, float]], rank: Callable[[str], str]) -> str:
    """The sum of the operands' ranks (`rank` names each one's), each times its weight: its inverse
    document frequency and its boost."""
    return " + ".join(
        f"{idf(documents, frequency) * boost:.6f} * {rank(operand)}"
        for operand, (frequency, boost) in scored.items()
    )


def _through_context(
    documents: int,
    in_context: dict[str, tuple[int, float]],
    condition: Ts,
    others: str,
    filters: list[Sql],
) -> Sql:
    """The SELECT of the matches holding none of the `others` operands, ranked by their context.

    A word in many titles or speakers' names matches every turn of those transcripts or
    speakers, most of which hold no other operand (`"press secretary"` at a million turns:
    226,125 matches, nearly all of them turns of the speaker named Press Secretary). Such a turn
    matches and ranks as its context does (schema.CONTEXTS: the same lexemes at the same
    positions), but for the division by its length: each context is ranked once, and its turns
    by their `words`. (With nothing excluded, every lexeme of the search is an operand: a turn
    without the other operands matches exactly when its context does.)
    """
    plain = condition.without_phrases
    per_context = [_rank(f"r{i}", "x.tsv", 0) for i in range(len(in_context))]
    params: tuple[Any, ...] = tuple(in_context)
    checked = bool(condition.loose)
    if checked:
        per_context.append("(x.tsv @@ %s::tsquery) AS exact")
        params += (condition.text,)
    # ts_rank's normalization as PostgreSQL computes it: the float4 rank divided by the base-2
    # logarithm of the length plus one, rounded back to float4.
    length = "(ln(d.words + 1::float8) / ln(2::float8))"
    rank_of = {op: f"c.r{i}" for i, op in enumerate(in_context)}
    score = _weighted(documents, in_context, lambda op: f"({rank_of[op]} / {length})::float4")
    only_context = _where([_found_by(f"({plain}) & !({others})" if others else plain, False), *filters])
    sql = f"""
        WITH contexts AS MATERIALIZED (
            SELECT x.context, {", ".join(per_context)} FROM {CONTEXTS} x WHERE x.tsv @@ %s::tsquery
        )
        SELECT {MATCH_COLUMNS}, ({score}) AS score
        FROM {DOCUMENTS} d JOIN contexts c ON c.context = d.context
        WHERE {only_context.expr} {"AND c.exact" if checked else ""}
    """
    return Sql(sql, (*params, plain, *only_context.params))


def _rank(name: str, vector: str, normalization: int) -> str:
    return f"ts_rank('{RANK_WEIGHTS}'::float4[], {vector}, %s::tsquery, {normalization}) AS {name}"


def _found_by(query: str, checked: bool) -> Sql:
    """The rows the GIN index finds for a tsquery without phrases, then (checked) those whose
    vector holds the search's phrases."""
    return Sql(f"{ROW_VECTOR} @@ %s::tsquery" + (" AND r.exact" if checked else ""), (query,))


def _where(conditions: list[Sql | None]) -> Sql:
    live: list[Ts | Sql] = [c for c in conditions if c is not None]
    return as_sql(join_parts(live, "AND")) if live else Sql("TRUE")


def _select(score: str, ranks: Sql, conditions: list[Sql | None]) -> Sql:
    where = _where(conditions)
    return Sql(
        f"SELECT {MATCH_COLUMNS}, {score} AS score FROM {DOCUMENTS} d {ranks.expr} WHERE {where.expr}",
        (*ranks.params, *where.params),
    )


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
