"""New keys of cases, submissions, attachments and events are time-ordered (amtsweg.core.ids.uuid7).

Only the Python-side default changes; the columns stay as they are. State only, so SQLite does not
rebuild the tables (its schema editor would, for any change of a primary key field).
"""

from django.db import migrations, models

import amtsweg.core.ids


def _key():
    return models.UUIDField(default=amtsweg.core.ids.uuid7, editable=False, primary_key=True, serialize=False)


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0006_finished_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(model_name=model, name="id", field=_key())
                for model in ("case", "event", "submission", "submissionattachment")
            ],
            database_operations=[],
        ),
    ]
