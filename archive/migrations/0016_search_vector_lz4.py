"""The PostgreSQL search backend's vectors compressed with lz4 (PostgreSQL only, where the server
has it: pglz otherwise).

A ranked search reads each match's vector whole; a long turn's vector is kept compressed, and
pglz took about twice lz4's time to give it back (docs/performance.md). Vectors written before
keep their compression until the index is rebuilt (`rebuild_index`); a rebuild's new table copies
the column's setting (`LIKE ... INCLUDING ALL`).
"""

from django.db import migrations

LZ4_AVAILABLE = (
    "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
)


def compress_with(method: str):
    def change(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(LZ4_AVAILABLE)
            if cursor.fetchone() is None:
                return
        schema_editor.execute(f"ALTER TABLE search_document ALTER COLUMN tsv SET COMPRESSION {method}")

    return change


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0015_search_generation"),
    ]

    operations = [
        migrations.RunPython(compress_with("lz4"), compress_with("pglz")),
    ]
