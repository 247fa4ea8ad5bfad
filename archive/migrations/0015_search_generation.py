"""The PostgreSQL search backend's generation: an identifier every write of its index draws anew
(archive/search/backends/postgres/kept.py), PostgreSQL only."""

from django.db import migrations

CREATE = """
CREATE TABLE search_generation (id uuid NOT NULL);
INSERT INTO search_generation (id) VALUES (gen_random_uuid());
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TABLE IF EXISTS search_generation")


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0014_search_document_filter_indexes"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
