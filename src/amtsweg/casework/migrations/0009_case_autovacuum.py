"""PostgreSQL: vacuum `casework_case` after 1 % of its rows changed, not after PostgreSQL's default 20 %.

The inbox's counts per state and its services filter are index-only scans (0005_inbox_indexes). They read a
case's table page only where the visibility map says the page may hold changed rows, and only VACUUM sets
it again. Cases change all day (states, assignments), and at the default scale factor a table of 1,000,000
cases waits for 200,000 changed rows: measured on benchmarks/backoffice.py after 40,000 forwarded cases got
their closing time (0004), the counts of a 20,000-case Authority read 7,017 table pages again (281 ms
instead of 6 ms). No effect on other databases.
"""

from django.db import migrations

SETTINGS = {"autovacuum_vacuum_scale_factor": "0.01", "autovacuum_analyze_scale_factor": "0.02"}


def tune(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    options = ", ".join(f"{name} = {value}" for name, value in SETTINGS.items())
    schema_editor.execute(f"ALTER TABLE casework_case SET ({options})")


def untune(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE casework_case RESET ({', '.join(SETTINGS)})")


class Migration(migrations.Migration):

    dependencies = [
        ("casework", "0008_retention_index_include"),
    ]

    operations = [
        migrations.RunPython(tune, untune),
    ]
