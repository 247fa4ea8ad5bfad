"""Two columns of each search document, computed from its vector (PostgreSQL only): its length as
ts_rank counts it (its positions, one for a lexeme without any), and a digest of its context
lexemes (the transcript's title, the speaker's names, the topics' labels).

A word in many titles or speakers' names matches every turn of those transcripts or speakers,
and its rank there is the same on each turn with the same context but for the division by the
turn's length. With both columns, the ranking (archive/search/backends/postgres/ranking.py)
scores such matches from one vector per context instead of reading each of them. The columns are
generated, so every writer and a rebuild's new table (`LIKE ... INCLUDING ALL`) keep them; adding
them rewrites the table once (docs/operations.md).
"""

from django.db import migrations

# The context fields' codes (archive/search/backends/postgres/schema.py: CONTEXT_CODES).
CREATE = """
CREATE FUNCTION search_words(tsvector) RETURNS integer
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql
    AS $$ SELECT COALESCE(sum(COALESCE(array_length(positions, 1), 1)), 0)::integer FROM unnest($1) $$;
CREATE FUNCTION search_context(tsvector) RETURNS uuid
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql
    AS $$ SELECT md5(COALESCE(string_agg(lexeme || ':' || COALESCE(positions::text, ''), ' '
                                         ORDER BY lexeme COLLATE "C"), ''))::uuid
          FROM unnest($1) WHERE left(lexeme, 1) IN ('h', 's', 'c') $$;
ALTER TABLE search_document
    ADD COLUMN words integer NOT NULL GENERATED ALWAYS AS (search_words(tsv)) STORED,
    ADD COLUMN context uuid NOT NULL GENERATED ALWAYS AS (search_context(tsv)) STORED;
"""

DROP = """
ALTER TABLE search_document DROP COLUMN words, DROP COLUMN context;
DROP FUNCTION search_words(tsvector);
DROP FUNCTION search_context(tsvector);
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
