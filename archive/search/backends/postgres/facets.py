"""The filter and facet columns of `search_document`: a request's filters as conditions on them,
and the facet counts of the matches (`m`, the matches' common table in backend.py, and `total`,
their count), or of a sample of them (`s`)."""

from __future__ import annotations

from archive.search.backends.base import SearchRequest
from archive.search.backends.postgres.conditions import Sql

# The matches (`m`, counted in `total`) facets are counted on (`s`): all of them up to
# FACET_EXACT_LIMIT, else an even sample of about that many, each turn in or out by a hash of its
# id (the same search counts the same sample); backend.py scales the counts to the total.
# Parameters: the limit, twice.
SAMPLE_SQL = """
    SELECT m.* FROM m, total
    WHERE total.n <= %s OR abs(hashint8(m.turn_id)) %% 1000003 < 1000003::bigint * %s / total.n
"""
SAMPLE_SIZE_SQL = "SELECT '~', '', count(*), 0.0::float8 FROM s"

# The facets of single columns are counted in one pass over the sample (grouping sets: each row
# is hashed into every set's table at once), instead of a pass each: `president`'s statement at
# a million turns took about a quarter less time.
FACET_SQL = """
    SELECT facet, value, n, 0.0::float8 FROM (
        SELECT facet, value, n,
               row_number() OVER (PARTITION BY facet ORDER BY n DESC, value COLLATE "C") AS r
        FROM (
            SELECT CASE WHEN GROUPING(kind) = 0 THEN 'kind'
                        WHEN GROUPING(speaker) = 0 THEN 'speaker'
                        WHEN GROUPING(language) = 0 THEN 'language'
                        WHEN GROUPING(y) = 0 THEN 'year'
                        ELSE 'answered' END AS facet,
                   COALESCE(kind, speaker, language, y::text, answer_status) AS value,
                   count(*) AS n
            FROM (SELECT kind, speaker, language, date_part('year', day)::int AS y, answer_status FROM s) f
            GROUP BY GROUPING SETS ((kind), (speaker), (language), (y), (answer_status))
            UNION ALL SELECT 'topic', t, count(*) FROM s, unnest(s.topics) AS t
                      WHERE s.topics <> '{}' GROUP BY t
        ) counted WHERE value <> ''
    ) ranked WHERE r <= %s OR facet = 'year'
"""


def filter_conditions(request: SearchRequest) -> list[Sql]:
    parts: list[Sql] = []
    if request.language:
        parts.append(language_condition(request.language))
    if request.speaker:
        parts.append(Sql("d.speaker = %s", (request.speaker,)))
    if request.topic:
        parts.append(Sql("d.topics @> ARRAY[%s]::text[]", (request.topic,)))
    if request.kind:
        parts.append(Sql("d.kind = %s", (request.kind,)))
    if request.answered:
        parts.append(Sql("d.answer_status = %s", (request.answered,)))
    if request.date_from:
        parts.append(Sql("d.day >= %s", (request.date_from,)))
    if request.date_to:
        parts.append(Sql("d.day <= %s", (request.date_to,)))
    if request.transcripts is not None:
        parts.append(Sql("d.transcript_id = ANY(%s)", (sorted(request.transcripts),)))
    return parts


def language_condition(tag: str) -> Sql:
    """Turns in an exact language tag (zh-hans), or in every tag of a base language (zh).

    One column for each (a base has no hyphen, a tag with one is never a base), so that the
    planner can read it through that column's index.
    """
    folded = tag.strip().lower()
    return Sql("d.lang_tag = %s" if "-" in folded else "d.lang_base = %s", (folded,))
