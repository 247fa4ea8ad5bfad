"""Create the `curators` group with the permissions curation needs (see archive/curators.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_curators_group(apps, schema_editor):
    from archive.curators import sync_curators_group

    # On a fresh database permissions are only created after all migrations ran: make them now.
    for label in ("auth", "archive"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None
    sync_curators_group(apps, schema_editor.connection.alias)


def remove_curators_group(apps, schema_editor):
    from archive.curators import CURATORS_GROUP

    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(
        name=CURATORS_GROUP
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_curators_group, remove_curators_group)]
