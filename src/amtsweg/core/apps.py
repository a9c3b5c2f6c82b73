from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "amtsweg.core"
    verbose_name = "Amtsweg core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from amtsweg.core import checks, sqlite_wal  # noqa: F401 - importing `checks` registers them

        connection_created.connect(sqlite_wal.on_connection_created, dispatch_uid="amtsweg-sqlite-checkpoints")
