"""Documents -> `search_document` rows, and the rows' lexemes counted in `search_term`.

The vector is built in Python from our analyzers, with their positions: Hebrew prefix forms and
accent-folded forms share their word's position and Chinese words follow each other, so phrases
(`<->`) behave as in Whoosh.
"""

from __future__ import annotations

from typing import Any

from psycopg2.extras import execute_values

from archive.search import analysis
from archive.search.backends.postgres.schema import (
    COLUMNS,
    DOCUMENTS,
    LABELS_FIELD,
    MAX_POSITION,
    MAX_POSITIONS,
    NAMES_FIELD,
    ROW_TEMPLATE,
    TERMS,
    TEXT,
    TITLE,
    TRANS,
    WEIGHT_LETTER,
    SearchField,
    fits,
    quote,
)
from archive.search.documents import IndexDocument

BATCH = 500

_analyzers: dict[str, Any] = {}
_REMEMBERED = 64  # titles and names repeat on every turn of a transcript: analyzed once


def _analyzer(key: str) -> Any:
    found = _analyzers.get(key)
    if found is None:
        found = _analyzers[key] = analysis.analyzer_for(key)
    return found


class _VectorBuilder:
    """Lexeme -> positions of one document; remembers the analysis of repeated values."""

    memo: dict[tuple[str, str], list[tuple[str, int]]] = {}

    def __init__(self) -> None:
        self.positions: dict[str, list[int]] = {}

    def add(self, search_field: SearchField, text: str, repeated: bool = False) -> None:
        if not text:
            return
        memo_key = (search_field.lexeme(""), text)
        tokens = self.memo.get(memo_key) if repeated else None
        if tokens is None:
            tokens = [
                (search_field.lexeme(token.text), min(token.pos + 1, MAX_POSITION))
                for token in _analyzer(search_field.key)(text, positions=True)
                if token.text
            ]
            if repeated:
                if len(self.memo) >= _REMEMBERED:
                    self.memo.clear()
                self.memo[memo_key] = tokens
        found = self.positions
        for lexeme, pos in tokens:
            held = found.get(lexeme)
            if held is None:
                found[lexeme] = [pos]
            elif len(held) < MAX_POSITIONS and held[-1] != pos:
                held.append(pos)

    def vector(self) -> str:
        parts = []
        for lexeme, positions in self.positions.items():
            if not fits(lexeme):
                continue
            letter = WEIGHT_LETTER[lexeme[0]]
            parts.append(f"{quote(lexeme)}:{','.join(f'{p}{letter}' for p in positions)}")
        return " ".join(parts)


def document_vector(doc: IndexDocument) -> str:
    """The tsvector literal of a document: every field's tokens, tagged, with positions and weights."""
    builder = _VectorBuilder()
    builder.add(SearchField(TEXT, analysis.analysis_key(doc.language)), doc.text)
    builder.add(SearchField(TITLE, analysis.analysis_key(doc.title_language)), doc.title, repeated=True)
    translations: dict[str, list[str]] = {}
    for tag, text in doc.translations:
        translations.setdefault(analysis.analysis_key(tag), []).append(text)
    for key, texts in translations.items():
        builder.add(SearchField(TRANS, key), "\n".join(texts))
    names = "\n".join([*doc.speaker_names, doc.speaker.replace("-", " ")])
    builder.add(NAMES_FIELD, names, repeated=True)
    builder.add(LABELS_FIELD, "\n".join(label for _, label in doc.topic_labels), repeated=True)
    return builder.vector()


def document_row(doc: IndexDocument) -> tuple[Any, ...]:
    tag = doc.language.lower()
    return (
        doc.turn_id,
        doc.transcript_id,
        doc.fingerprint,
        doc.slug,
        doc.position,
        doc.language,
        tag,
        tag.split("-")[0],
        doc.kind,
        doc.speaker,
        list(doc.topics),
        doc.date,
        document_vector(doc),
        doc.answer_status,
    )


def insert_rows(cursor: Any, table: str, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        execute_values(cursor.cursor, f"INSERT INTO {table} ({COLUMNS}) VALUES %s", rows, ROW_TEMPLATE, BATCH)


def count_terms_of(cursor: Any, transcript_ids: list[int]) -> None:
    """The lexemes of these transcripts' documents join the vocabulary (or count once more)."""
    cursor.execute(
        f"""INSERT INTO {TERMS} (term, ndoc)
            SELECT u.lexeme, count(*) FROM {DOCUMENTS} d, unnest(d.tsv) AS u
            WHERE d.transcript_id = ANY(%s::bigint[]) GROUP BY u.lexeme
            ON CONFLICT (term) DO UPDATE SET ndoc = {TERMS}.ndoc + EXCLUDED.ndoc""",
        [transcript_ids],
    )


def add_contexts(cursor: Any, documents: str, contexts: str, transcript_ids: list[int] | None = None) -> None:
    """The contexts of these transcripts' documents (None: of every document) not yet in `contexts`,
    each as one of its documents' vectors holds it."""
    where = "WHERE transcript_id = ANY(%s::bigint[])" if transcript_ids is not None else ""
    cursor.execute(
        f"""INSERT INTO {contexts} (context, tsv)
            SELECT one.context, search_context_vector(d.tsv)
            FROM (SELECT context, min(turn_id) AS turn_id FROM {documents} {where} GROUP BY context) one
            JOIN {documents} d ON d.turn_id = one.turn_id
            WHERE NOT EXISTS (SELECT 1 FROM {contexts} c WHERE c.context = one.context)""",
        [transcript_ids] if transcript_ids is not None else [],
    )


def delete_rows(cursor: Any, column: str, ids: list[int]) -> None:
    """Delete documents by turn or transcript id; their lexemes count once less."""
    cursor.execute(
        f"""WITH gone AS (DELETE FROM {DOCUMENTS} WHERE {column} = ANY(%s::bigint[]) RETURNING tsv),
                 counted AS (SELECT u.lexeme COLLATE "C" AS term, count(*) AS n
                             FROM gone, unnest(gone.tsv) AS u GROUP BY u.lexeme)
            UPDATE {TERMS} t SET ndoc = t.ndoc - counted.n FROM counted WHERE t.term = counted.term""",
        [ids],
    )
