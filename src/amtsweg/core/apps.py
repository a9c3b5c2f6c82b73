from django.apps import AppConfig
from django.conf import settings

SQLITE_ENGINE = "django.db.backends.sqlite3"


def uses_sqlite(databases: dict[str, dict]) -> bool:
    """Whether any configured database is SQLite: only then does a process need the WAL checkpoint thread
    (`amtsweg.core.sqlite_wal`). PostgreSQL checkpoints on its own, so production processes neither import
    the module nor listen for new connections."""
    return any(database.get("ENGINE") == SQLITE_ENGINE for database in databases.values())


class CoreConfig(AppConfig):
    name = "amtsweg.core"
    verbose_name = "Amtsweg core"

    def ready(self) -> None:
        from django.db.models import fields
        from django.utils.translation import gettext_lazy as _

        from amtsweg.core import checks  # noqa: F401 - importing `checks` registers them

        # Django 6.1's empty choice of every select ("- Select an option -") has no German translation: staff
        # saw English in German forms (issue 16). Django documents overriding it here.
        fields.BLANK_CHOICE_LABEL = _("– Bitte wählen –")

        if uses_sqlite(settings.DATABASES):
            from django.db.backends.signals import connection_created

            from amtsweg.core import sqlite_wal

            connection_created.connect(sqlite_wal.on_connection_created, dispatch_uid=sqlite_wal.DISPATCH_UID)
