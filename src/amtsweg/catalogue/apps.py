from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def refresh_search_index(sender, using="default", **kwargs):
    """After every `migrate`: SQLite's FTS5 triggers again (a table rebuilt by a migration loses them), and
    the documents brought up to date with the everyday words this release ships."""
    from django.db import connections

    from amtsweg.catalogue import fulltext

    connection = connections[using]
    tables = connection.introspection.table_names()
    if "catalogue_ozgservice" not in tables or not fulltext.search_columns_exist(connection):
        return
    fulltext.install_sqlite_index(connection)
    fulltext.refresh_documents()


class CatalogueConfig(AppConfig):
    name = "amtsweg.catalogue"
    verbose_name = _("Leistungskatalog")

    def ready(self) -> None:
        post_migrate.connect(refresh_search_index, sender=self)
