"""What the PostgreSQL search backend keeps in the database, and how its lexemes are spelt.

Documents live in the `search_document` table (migrations 0004 and 0006, PostgreSQL only):
filter and facet columns, and a `tsvector` built from OUR analyzers' tokens
(`archive.search.analysis`, see `writing.py`), never from a PostgreSQL text-search
configuration. Each lexeme is tagged with its field and analysis key (`wen:tariff` is the stem
`tariff` in the turn's own English text, `hzh:外交部` a Chinese title word), so one vector holds
what Whoosh keeps in separate fields and a query looks a word up in each field with that
field's analysis, as the Whoosh backend does.

Two generated columns describe the vector for the ranking (migration 0017): `words`, its length
as ts_rank counts it, and `context`, a digest of its context lexemes (CONTEXT_CODES).
`search_context` holds each context's lexemes once (`writing.add_contexts`), with a GIN index of
its own; a context no document has any more stays until the next rebuild.

`search_term` holds every lexeme with the number of documents holding it (`vocabulary.py`).

`search_generation` holds one random identifier, drawn anew by every write of the index
(`locks.py`): the state of the index the answers of `kept.py` are kept for (migration 0015).

A rebuild fills tables named with NEXT beside the live ones and swaps them in by renaming.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DOCUMENTS = "search_document"
TERMS = "search_term"
CONTEXTS = "search_context"
GENERATION = "search_generation"
CURRENT_GENERATION_SQL = f"(SELECT max(id::text) FROM {GENERATION})"  # NULL if it has none
NEW_GENERATION_SQL = f"UPDATE {GENERATION} SET id = gen_random_uuid()"
NEXT = "_next"  # the tables a rebuild fills beside the live ones
OLD = "_old"

COLUMNS = (
    "turn_id, transcript_id, fingerprint, slug, position, language, lang_tag, lang_base, kind, speaker, "
    "topics, day, tsv, answer_status"
)
ROW_TEMPLATE = "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::text[], %s, %s::tsvector, %s)"

GENERIC = "generic"
MAX_LEXEME_BYTES = 2046  # PostgreSQL refuses longer lexemes (and nobody searches for them)
MAX_POSITION = 16383  # PostgreSQL's largest position: later words of a very long turn share it
MAX_POSITIONS = 255  # positions kept per lexeme and document (PostgreSQL keeps no more)

# Field codes, the first letter of each lexeme, and their weight letters (ranking.RANK_WEIGHTS
# gives each letter its weight). The phrase flag: Whoosh keeps no positions for titles (a
# "phrase" there is all its words).
TEXT, TRANS, TITLE, NAMES, LABELS = "w", "t", "h", "s", "c"
WEIGHT_LETTER = {TEXT: "A", LABELS: "A", TITLE: "B", NAMES: "B", TRANS: "C"}
# The fields of a turn's context, which many turns share: the transcript's title, the speaker's
# names, the topics' labels. The `context` column digests a document's lexemes of these fields and
# `words` counts its positions (migration 0017, which spells the codes out again).
CONTEXT_CODES = frozenset({TITLE, NAMES, LABELS})


@dataclass(frozen=True)
class SearchField:
    code: str
    key: str

    @property
    def positions(self) -> bool:
        return self.code != TITLE

    def lexeme(self, term: str) -> str:
        return f"{self.code}{'' if self.key == GENERIC else self.key}:{term}"


NAMES_FIELD = SearchField(NAMES, GENERIC)
LABELS_FIELD = SearchField(LABELS, GENERIC)


def quote(lexeme: str) -> str:
    """A lexeme as a tsvector/tsquery literal: quoted, quotes and backslashes doubled."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def fits(lexeme: str) -> bool:
    return len(lexeme.encode("utf-8")) <= MAX_LEXEME_BYTES


def table_indexes(cursor: Any, table: str) -> dict[str, str]:
    """Index name -> its definition, of one table."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s",
        [table],
    )
    return dict(cursor.fetchall())
