"""The PostgreSQL search backend's column for a question's answer status (PostgreSQL only)."""

from django.db import migrations

ADD = "ALTER TABLE search_document ADD COLUMN IF NOT EXISTS answer_status text NOT NULL DEFAULT ''"
DROP = "ALTER TABLE search_document DROP COLUMN IF EXISTS answer_status"


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0005_turn_answer_status"),
    ]

    operations = [
        migrations.RunPython(add, drop),
    ]
