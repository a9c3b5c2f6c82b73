"""Plain multi-row INSERTs for the intake hot path.

Every intake writes the same five kinds of rows (case, submission, attachments, events, outbox). Django's
`save()`/`bulk_create()` compile the INSERT anew for each call, which costs more than the database does
for these small rows. `insert()` builds the statement once per model, row count and database, and takes
each value through the field's own `pre_save` / `get_db_prep_save` exactly as the ORM does, so what is
stored is identical. It sends no `pre_save`/`post_save` signals (like `bulk_create`): only use it for
models nobody listens to, for rows that are new (client-side primary keys or an auto field it leaves out).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, models, router
from django.db.models.constants import OnConflict

_statements: dict[tuple, tuple[str, list]] = {}


def _statement(model: type[models.Model], alias: str, rows: int, ignore_conflicts: bool) -> tuple[str, list]:
    key = (model, alias, rows, ignore_conflicts)
    cached = _statements.get(key)
    if cached is not None:
        return cached
    connection = connections[alias]
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
    qn = connection.ops.quote_name
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"{connection.ops.insert_statement(on_conflict=on_conflict)} {qn(meta.db_table)} "
        f"({', '.join(qn(f.column) for f in fields)}) VALUES {', '.join([row] * rows)}"
    )
    suffix = connection.ops.on_conflict_suffix_sql(fields, on_conflict, None, None)
    if suffix:
        sql += " " + suffix
    _statements[key] = (sql, fields)
    return sql, fields


def insert(objs: Sequence[models.Model], *, ignore_conflicts: bool = False) -> None:
    """INSERT `objs` (all of one model) in one statement; marks them saved."""
    if not objs:
        return
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    sql, fields = _statement(model, alias, len(objs), ignore_conflicts)
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection=connection) for obj in objs for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias
