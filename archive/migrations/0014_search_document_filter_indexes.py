"""B-tree indexes on the PostgreSQL search backend's filter columns (PostgreSQL only).

Browsing by filters alone (`kind=answer&language=es`) read every row of `search_document`, each
with its tsvector: the planner can now read only the rows of the turns filtered for. A rebuild
makes the same indexes on the tables it fills (`LIKE ... INCLUDING ALL`).
"""

from django.db import migrations

COLUMNS = ("lang_base", "lang_tag", "kind", "speaker", "day")


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for column in COLUMNS:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS search_document_{column}_idx ON search_document ({column})"
            )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for column in COLUMNS:
            schema_editor.execute(f"DROP INDEX IF EXISTS search_document_{column}_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0013_history_of_new_fields"),
    ]

    operations = [
        migrations.RunPython(add, drop),
    ]
