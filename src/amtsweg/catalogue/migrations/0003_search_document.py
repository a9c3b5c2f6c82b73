"""The catalogue's search document and the databases' indexes on it (issue 16, item 2).

Expand only: two columns with a database default (the previous release's INSERTs leave them empty), the
pg_trgm extension, GIN indexes (PostgreSQL; the catalogue's ~6,000 rows index in well under a second) or FTS5
tables kept in step by triggers (SQLite), and the documents filled in. Nothing is dropped or renamed.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from amtsweg.catalogue import fulltext


def fill_documents(apps, schema_editor):
    fulltext.refresh_documents(apps.get_model("catalogue", "OzgService"), apps.get_model("catalogue", "PublicService"))


def install_indexes(apps, schema_editor):
    fulltext.install_postgres_index(schema_editor.connection)
    fulltext.install_sqlite_index(schema_editor.connection)


def uninstall_indexes(apps, schema_editor):
    fulltext.uninstall_postgres_index(schema_editor.connection)
    fulltext.uninstall_sqlite_index(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("catalogue", "0001_squashed_0002_public_service_law_length"),
    ]

    operations = [
        migrations.AddField(
            model_name="ozgservice",
            name="search_document",
            field=models.TextField(blank=True, db_default="", default="", editable=False),
        ),
        migrations.AddField(
            model_name="publicservice",
            name="search_document",
            field=models.TextField(blank=True, db_default="", default="", editable=False),
        ),
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it. Where the
        # migrating role may not, a superuser runs `CREATE EXTENSION pg_trgm` once beforehand (README).
        TrigramExtension(),
        migrations.RunPython(fill_documents, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(install_indexes, uninstall_indexes),
    ]
