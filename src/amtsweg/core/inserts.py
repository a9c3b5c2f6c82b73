"""The one raw-insert helper: INSERT statements written from model metadata, for the two places where the
ORM's per-statement work is the cost (issue 13, items 1 and 6).

* :func:`insert_rows`: tens of thousands of plain rows of a CSV import, one ``executemany`` per batch.
* :func:`insert_objects`: the few rows of one intake (case, submission, attachments, events, outbox row),
  built with their model constructors as for ``bulk_create``. ``bulk_create`` compiles its INSERT anew on
  every call; for the intake's five small statements that compiling was most of the time the transaction
  took (~0.2 ms each on SQLite, measured with ``benchmarks/delivery.py``). Here the statement text is built
  once per model and row count.

Only documented APIs: the ``Model._meta`` API for tables and columns, ``Field.pre_save`` and
``Field.get_db_prep_save`` for the values (what ``bulk_create`` uses for them too), ``connection.ops.quote_name``
for identifiers and the connection's cursor for the statement; values always travel as parameters. No signals,
no ``save()``: exactly as with ``bulk_create``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connections, models, router

BATCH_SIZE = 1000
_PLAIN = (str, int, float, bool, type(None))
# ON CONFLICT DO NOTHING: the same words on the databases Amtsweg runs on; elsewhere bulk_create does it.
_IGNORE_CONFLICTS = {"sqlite": " ON CONFLICT DO NOTHING", "postgresql": " ON CONFLICT DO NOTHING"}


def insert_rows(model: type[models.Model], rows: Sequence[Mapping[str, Any]], batch_size: int = BATCH_SIZE) -> None:
    """Insert plain rows (attribute name → value) with one ``executemany`` per batch.

    Several times faster than ``bulk_create`` for tens of thousands of rows because no model instances are built
    and no SQL is compiled per row. Fields missing from a row get their model default; values other than
    str/int/float/bool/None (dates, decimals …) go through the field's ``get_db_prep_save``. The primary key is
    left to the database. No signals, no ``save()``; the caller looks up the new primary keys if it needs them.
    """
    connection = connections[router.db_for_write(model)]
    columns = [f for f in model._meta.concrete_fields if not f.primary_key]

    def db_value(field, row):
        value = row[field.attname] if field.attname in row else field.get_default()
        return value if isinstance(value, _PLAIN) else field.get_db_prep_save(value, connection)

    sql = _statement(connection.alias, model._meta.db_table, tuple(f.column for f in columns), 1, False)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            cursor.executemany(sql, [[db_value(f, row) for f in columns] for row in rows[start : start + batch_size]])


def insert_objects(objs: Sequence[models.Model], *, ignore_conflicts: bool = False) -> None:
    """Insert new instances of one model (built with its constructor) in one statement.

    What ``bulk_create(objs)`` does for models whose primary key has a Python default (UUIDs): every concrete
    field's ``pre_save`` (``auto_now`` and ``auto_now_add`` fill in the time) and ``get_db_prep_save``, one
    INSERT with a row per instance, and afterwards the instances count as saved (``_state``). A key the
    database assigns (auto-increment; every instance's key None) is not read back. With ``ignore_conflicts``
    rows that would break a unique constraint are skipped, as ``bulk_create`` does.
    """
    if not objs:
        return
    model = type(objs[0])
    if any(type(obj) is not model for obj in objs):
        raise TypeError("insert_objects() takes instances of one model")
    connection = connections[router.db_for_write(model)]
    if ignore_conflicts and connection.vendor not in _IGNORE_CONFLICTS:
        model._default_manager.bulk_create(objs, ignore_conflicts=True)
        return
    pk = model._meta.pk
    keys = [getattr(obj, pk.attname) for obj in objs]
    database_keys = all(key is None for key in keys)  # an auto-incremented key, left to the database
    if not database_keys and any(key is None for key in keys):
        raise ValueError(f"insert_objects() needs every primary key set, or none ({model.__name__})")
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and database_keys)]
    params = [field.get_db_prep_save(field.pre_save(obj, True), connection) for obj in objs for field in fields]
    sql = _statement(connection.alias, model._meta.db_table, tuple(f.column for f in fields), len(objs),
                     ignore_conflicts)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    if database_keys:
        return  # the new keys are not read back (bulk_create with ignore_conflicts does not either)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


@functools.lru_cache(maxsize=256)
def _statement(alias: str, table: str, columns: tuple[str, ...], rows: int, ignore_conflicts: bool) -> str:
    """INSERT INTO "table" ("column", …) VALUES (%s, …)[, (%s, …) …]; identifiers from the model, quoted."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    row = "({})".format(", ".join(["%s"] * len(columns)))
    return "INSERT INTO {} ({}) VALUES {}{}".format(  # noqa: S608 - identifiers from model metadata, quoted
        quote(table),
        ", ".join(quote(column) for column in columns),
        ", ".join([row] * rows),
        _IGNORE_CONFLICTS[connection.vendor] if ignore_conflicts else "",
    )
