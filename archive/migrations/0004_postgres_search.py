"""The tables of the PostgreSQL search backend (archive/search/backends/postgres/schema.py), PostgreSQL only.

SQLite databases get nothing: the backend refuses to run on them. The index names follow what
PostgreSQL generates for `CREATE TABLE ... (LIKE ... INCLUDING ALL)`, so a rebuild, which copies
the live tables and renames the copies' indexes back, keeps them stable.
"""

from django.db import migrations

CREATE = """
CREATE TABLE search_document (
    turn_id bigint NOT NULL,
    transcript_id bigint NOT NULL,
    fingerprint text NOT NULL,
    slug text COLLATE "C" NOT NULL,
    position integer NOT NULL,
    language text NOT NULL,
    lang_tag text NOT NULL,
    lang_base text NOT NULL,
    kind text NOT NULL,
    speaker text NOT NULL,
    topics text[] NOT NULL,
    day date,
    tsv tsvector NOT NULL,
    CONSTRAINT search_document_pkey PRIMARY KEY (turn_id)
);
CREATE INDEX search_document_transcript_id_idx ON search_document (transcript_id);
CREATE INDEX search_document_tsv_idx ON search_document USING gin (tsv);
CREATE TABLE search_term (
    term text COLLATE "C" NOT NULL,
    ndoc integer NOT NULL,
    CONSTRAINT search_term_pkey PRIMARY KEY (term)
);
"""

DROP = "DROP TABLE IF EXISTS search_document; DROP TABLE IF EXISTS search_term;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0003_search_outbox"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
