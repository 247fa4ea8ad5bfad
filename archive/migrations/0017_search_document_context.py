"""What lets the PostgreSQL search backend rank a match through its context alone without reading
its vector (PostgreSQL only): two generated columns of each search document, its length as
ts_rank counts it (its positions, one for a lexeme without any) and a digest of its context
lexemes (the transcript's title, the speaker's names, the topics' labels); and the table
`search_context`, each context's lexemes once, found through a GIN index of its own.

A word in many titles or speakers' names matches every turn of those transcripts or speakers,
and ranks the same on each turn of one context but for the division by the turn's length
(archive/search/backends/postgres/ranking.py). The columns are generated, so every writer and a
rebuild's new table (`LIKE ... INCLUDING ALL`) keep them; adding them rewrites the search table
once (docs/operations.md).
"""

from django.db import migrations

# The context fields' codes are schema.CONTEXT_CODES (spelt out here: a migration stays as written).
CREATE = """
CREATE FUNCTION search_words(tsvector) RETURNS integer
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql
    AS $$ SELECT COALESCE(sum(COALESCE(array_length(positions, 1), 1)), 0)::integer FROM unnest($1) $$;
CREATE FUNCTION search_context(tsvector) RETURNS uuid
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql
    AS $$ SELECT md5(COALESCE(string_agg(lexeme || ':' || COALESCE(positions::text, ''), ' '
                                         ORDER BY lexeme COLLATE "C"), ''))::uuid
          FROM unnest($1) WHERE left(lexeme, 1) IN ('h', 's', 'c') $$;
CREATE FUNCTION search_context_vector(tsvector) RETURNS tsvector
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql
    AS $$ SELECT ts_delete($1, ARRAY(SELECT lexeme FROM unnest($1)
                                     WHERE left(lexeme, 1) NOT IN ('h', 's', 'c'))) $$;
ALTER TABLE search_document
    ADD COLUMN words integer NOT NULL GENERATED ALWAYS AS (search_words(tsv)) STORED,
    ADD COLUMN context uuid NOT NULL GENERATED ALWAYS AS (search_context(tsv)) STORED;
CREATE TABLE search_context (context uuid PRIMARY KEY, tsv tsvector NOT NULL);
CREATE INDEX search_context_tsv_idx ON search_context USING gin (tsv);
INSERT INTO search_context (context, tsv)
    SELECT one.context, search_context_vector(d.tsv)
    FROM (SELECT context, min(turn_id) AS turn_id FROM search_document GROUP BY context) one
    JOIN search_document d ON d.turn_id = one.turn_id;
ANALYZE search_document;
ANALYZE search_context;
"""

DROP = """
DROP TABLE search_context;
ALTER TABLE search_document DROP COLUMN words, DROP COLUMN context;
DROP FUNCTION search_words(tsvector);
DROP FUNCTION search_context(tsvector);
DROP FUNCTION search_context_vector(tsvector);
"""


def run(sql: str):
    def change(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return change


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0016_search_vector_lz4"),
    ]

    operations = [
        migrations.RunPython(run(CREATE), run(DROP)),
    ]
