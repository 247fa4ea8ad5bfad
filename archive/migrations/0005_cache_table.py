"""The table of the default cache (Django's DatabaseCache), so `migrate` makes every database ready.

createcachetable creates only the tables of the configured database caches that do not exist
yet: with CACHE_URL naming Redis or Memcached it does nothing."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("archive", "0004_postgres_search")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
