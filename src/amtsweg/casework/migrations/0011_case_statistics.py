"""PostgreSQL: tell the planner that a case's assignee and team imply its Authority (extended statistics).

Without it PostgreSQL multiplies the selectivities of `authority_id = A` and `assignee_id = U` as if they
were independent, although every assignee works for one Authority. Measured on benchmarks/backoffice.py
(1,000,000 cases, 50 Authorities): "mir zugewiesen, offen" was estimated at 33 rows instead of 1,636, so the
inbox page read all 1,636 cases' table pages (bitmap heap scan, 1,668 buffers, 9 ms warm, 170 ms under
load) and sorted them, instead of walking `casework_assignee_idx` backwards to the first 51 (207 buffers,
0.3 ms). `ANALYZE` gathers the new statistics at once (it samples, seconds on millions of rows). No effect
on other databases.
"""

from django.db import migrations

NAME = "casework_case_tenant_dependencies"


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE STATISTICS IF NOT EXISTS {NAME} (dependencies) "
                          "ON authority_id, assignee_id, team_id FROM casework_case")
    schema_editor.execute("ANALYZE casework_case")


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP STATISTICS IF EXISTS {NAME}")


class Migration(migrations.Migration):

    dependencies = [
        ("casework", "0010_open_cases_index"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
