"""Plain multi-row INSERTs for the intake hot path, optionally sent together in few statements.

Every intake writes the same kinds of rows (case, submission, attachments, events, outbox, wake-up task).
Django's `save()`/`bulk_create()` compile the INSERT anew for each call, which costs more than the
database does for these small rows. `insert()` builds the statement once per model, row count and
database, and takes each value through the field's own `pre_save` / `get_db_prep_save` exactly as the
ORM does, so what is stored is identical. It sends no `pre_save`/`post_save` signals (like
`bulk_create`): only use it for models nobody listens to, for rows that are new (client-side primary keys
or an auto field it leaves out).

`with batch():` holds the inserts of its block back and sends them when the block ends, or just before
any other statement the block runs (so the block always reads its own writes): on PostgreSQL joined into
few statements (data-modifying CTEs, `WITH a AS (INSERT …), b AS (INSERT …) INSERT …`, as many as
psycopg can cache, see `_groups`), so round trips and statement overhead are paid once per group instead
of per table; elsewhere one after the other.
Foreign keys are checked at the end of the statement or, as Django declares them, at the commit.
"""

from __future__ import annotations

import datetime
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from django.conf import settings
from django.db import connections, models, router, transaction
from django.db.models.constants import OnConflict

_statements: dict[tuple, tuple[str, list]] = {}

# Field classes whose `pre_save` is the attribute and whose `get_db_prep_save` returns a value of this
# exact type (or None) unchanged, on every backend: such values skip the ORM's conversion chain, which
# costs more than the rest of the insert for the intake's ~60 values. Exact classes only: a subclass may
# convert (tests compare the result with the ORM's for every field of the intake's models).
_PASS_THROUGH: dict[type[models.Field], type] = {
    models.CharField: str,
    models.TextField: str,
    models.URLField: str,
    models.EmailField: str,
    models.SlugField: str,
    models.IntegerField: int,
    models.PositiveIntegerField: int,
    models.SmallIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.BigIntegerField: int,
    models.PositiveBigIntegerField: int,
    models.BooleanField: bool,
}


_ORM = object()  # a converter's answer: "let the ORM convert this value"


def _fast_path(field: models.Field, connection) -> tuple[tuple[type, ...], Callable | None, bool]:
    """(the value types that may skip the ORM's conversion, how to convert them (None: unchanged),
    whether the field fills itself in on save).

    Besides the pass-through types (text also as a `TextChoices` member, returned unchanged like the ORM
    does): UUIDs (primary and foreign keys) become what `UUIDField` sends (hex text without a native UUID
    type), aware datetimes what `DateTimeField` sends (the backend's adapter; `auto_now`/`auto_now_add`
    fields take the time first, as their `pre_save` does), and dicts and lists what `JSONField` sends."""
    kind = type(field)
    if kind in _PASS_THROUGH:
        return (_PASS_THROUGH[kind],), None, False
    target = field.target_field if kind in (models.ForeignKey, models.OneToOneField) else field
    if type(target) is models.UUIDField:
        return (uuid.UUID,), None if connection.features.has_native_uuid_field else _uuid_hex, False
    if kind is models.DateTimeField:
        return (datetime.datetime,), _datetime_converter(connection), bool(field.auto_now or field.auto_now_add)
    if kind is models.JSONField:
        adapt_json, encoder = connection.ops.adapt_json_value, field.encoder
        return (dict, list), lambda value: adapt_json(value, encoder), False
    return (), None, False


def _datetime_converter(connection) -> Callable:
    """What `DateTimeField` sends for an aware datetime; naive ones take the ORM's path (which warns).

    PostgreSQL's adapter returns the value as it is. SQLite's makes it naive in the connection's time
    zone and sends the text: the same done here without its checks and lookups (~2 µs per value)."""
    if connection.vendor == "postgresql":
        return lambda value: value if value.tzinfo is not None else _ORM
    if connection.vendor == "sqlite" and settings.USE_TZ:
        tz = connection.timezone
        return lambda value: str(value.astimezone(tz).replace(tzinfo=None)) if value.tzinfo is not None else _ORM
    adapt = connection.ops.adapt_datetimefield_value
    return lambda value: adapt(value) if value.tzinfo is not None else _ORM


def _uuid_hex(value: uuid.UUID) -> str:
    return value.hex


def _column_values(objs: Sequence[models.Model], fields: list, connection) -> list:
    """The statement's parameters: each field's value as the ORM would send it."""
    params = []
    append = params.append
    for obj in objs:
        values = obj.__dict__
        for field, attname, fast, convert, auto in fields:
            if fast:
                value = field.pre_save(obj, True) if auto else values[attname]
                if value is None:
                    append(None)
                    continue
                if type(value) in fast or (fast[0] is str and isinstance(value, str)):
                    if convert is None:
                        append(value)
                        continue
                    value = convert(value)
                    if value is not _ORM:
                        append(value)
                        continue
            append(field.get_db_prep_save(field.pre_save(obj, True), connection=connection))
    return params


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
    _statements[key] = (sql, [(f, f.attname, *_fast_path(f, connection)) for f in fields])
    return _statements[key]


def column_values(obj: models.Model) -> tuple[list[models.Field], list]:
    """The concrete fields `insert()` writes for `obj` (the auto field left out) and their values as it
    sends them: for statements of their own that insert such a row (e.g. `INSERT … SELECT`)."""
    alias = router.db_for_write(type(obj))
    connection = connections[alias]
    _sql, plan = _statement(type(obj), alias, 1, False)
    return [field for field, *_fast in plan], _column_values([obj], plan, connection)


@contextmanager
def one_statement(using: str = "default") -> Iterator[None]:
    """For a block that sends one statement outside `batch()`: the statement is atomic by itself; inside a
    caller's transaction it gets a savepoint, so that its failure does not break the caller's transaction."""
    connection = connections[using]
    if connection.in_atomic_block:
        with transaction.atomic(using=using):
            yield
    else:
        yield


def new(model: type[models.Model], **values):
    """A new, unsaved instance for `insert()`, built without `Model.__init__` (which costs more than the
    insert for small rows): every concrete field gets its value by attname (`case_id`, not `case`) or its
    default. Like `insert()` it sends no signals (pre_init/post_init); related objects are not cached.
    Unknown names raise TypeError, as `__init__` would."""
    fields = _init_fields.get(model)
    if fields is None:
        fields = _init_fields[model] = [(f.attname, f) for f in model._meta.concrete_fields]
    obj = model.__new__(model)
    obj._state = models.base.ModelState()
    attributes = obj.__dict__
    for attname, field in fields:
        attributes[attname] = values.pop(attname) if attname in values else field.get_default()
    if values:
        raise TypeError(f"{model.__name__} has no field(s) {', '.join(sorted(values))}")
    return obj


_init_fields: dict[type[models.Model], list] = {}


def insert(objs: Sequence[models.Model], *, ignore_conflicts: bool = False) -> None:
    """INSERT `objs` (all of one model) in one statement; marks them saved."""
    if not objs:
        return
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    sql, fields = _statement(model, alias, len(objs), ignore_conflicts)
    params = _column_values(objs, fields, connection)
    pending = getattr(connection, _PENDING, None)
    if pending is not None:
        pending.append((sql, params))
    else:
        with _insert_cursor(connection) as cursor:
            cursor.execute(sql, params)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias


_PENDING = "amtsweg_pending_inserts"  # attribute of the (thread-local) connection while a batch is open


@contextmanager
def batch(using: str = "default") -> Iterator[None]:
    """Send the `insert()`s of the block together when it ends (nothing if it raises).

    Any other statement on the connection inside the block (a query, a savepoint) first sends what is
    pending, so code in the block always reads what it wrote. Nests: an inner batch joins the outer one.
    Use it inside the transaction that must hold the rows.
    """
    connection = connections[using]
    if getattr(connection, _PENDING, None) is not None:
        yield
        return
    setattr(connection, _PENDING, [])

    def send_pending_first(execute, sql, params, many, context):
        _send_pending(connection)
        return execute(sql, params, many, context)

    send_pending_first.amtsweg_batch = True

    try:
        with connection.execute_wrapper(send_pending_first):
            yield
            _send_pending(connection)
    finally:
        setattr(connection, _PENDING, None)


# psycopg parses a statement's placeholders once and caches the result, but only for statements of at
# most 4,096 bytes and 50 parameters (`psycopg._queries.MAX_CACHED_STATEMENT_*`; a test pins them). A
# larger one is parsed again on every execution, which for an intake's ~80 parameters costs more than a
# second round trip on loopback, so pending inserts go out in groups that stay within both limits.
PSYCOPG_CACHED_PARAMS = 50
PSYCOPG_CACHED_BYTES = 4096


def _send_pending(connection) -> None:
    statements = getattr(connection, _PENDING)
    if not statements:
        return
    statements = statements[:]
    getattr(connection, _PENDING).clear()  # before executing: the wrapper sees an empty queue
    with _insert_cursor(connection) as cursor:
        if connection.vendor == "sqlite" and _plain(connection):
            _send_sqlite(connection, cursor, statements)
            return
        if connection.vendor != "postgresql":
            for sql, params in statements:
                cursor.execute(sql, params)
            return
        for group in _groups(statements):
            *first, (last_sql, last_params) = group
            if not first:
                cursor.execute(last_sql, last_params)
                continue
            ctes = ", ".join(f"w{n} AS ({sql})" for n, (sql, _params) in enumerate(first))
            cursor.execute(f"WITH {ctes} {last_sql}", [p for _sql, params in first for p in params] + last_params)


def _plain(connection) -> bool:
    """Nobody watches this connection's statements: no query log, no execute wrapper but the batch's."""
    return not connection.queries_logged and all(
        getattr(wrapper, "amtsweg_batch", False) for wrapper in connection.execute_wrappers
    )


_qmark: dict[str, str] = {}  # statement in Django's placeholder style -> in sqlite3's


def _send_sqlite(connection, cursor, statements: list[tuple[str, list]]) -> None:
    """SQLite: the statements go to the driver's cursor directly, in its placeholder style converted once
    per statement. Django's cursor converts on every execution, with a regular expression over the whole
    statement, and passes each through its wrapper layers; for the intake's five inserts that costs more
    than SQLite spends on them. Errors are translated as Django's cursor translates them; only used when
    nobody watches the statements (`_plain`), so query logs and execute wrappers still see every one."""
    raw = cursor.cursor
    execute = sqlite3.Cursor.execute
    connection.validate_no_broken_transaction()
    with connection.wrap_database_errors:
        for sql, params in statements:
            converted = _qmark.get(sql)
            if converted is None:
                converted = _qmark[sql] = raw.convert_query(sql)
            execute(raw, converted, params)


def _insert_cursor(connection):
    """A cursor that sends the values apart from the statement (PostgreSQL's extended protocol).

    Django's psycopg cursors bind on the client: every value is quoted into the SQL text, which for an
    intake's ~13 KB of ciphertext costs more than the server spends on the rows. Only for these inserts:
    same connection and transaction, Django's wrapper (error translation, query log, execute wrappers),
    and no prepared statements (Django's `prepare_threshold` applies), so connection poolers still work.
    """
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.base import is_psycopg3

    if not is_psycopg3:
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(ServerBindingCursor(connection.connection))


def _groups(statements: list[tuple[str, list]]) -> Iterator[list[tuple[str, list]]]:
    """Consecutive statements, as many per group as fit psycopg's cache limits once joined by `WITH`."""
    group: list[tuple[str, list]] = []
    params = length = 0
    for sql, values in statements:
        if group and (params + len(values) > PSYCOPG_CACHED_PARAMS
                      or length + len(sql) + 16 > PSYCOPG_CACHED_BYTES):
            yield group
            group, params, length = [], 0, 0
        group.append((sql, values))
        params += len(values)
        length += len(sql) + 16  # "WITH", " wNN AS (", ")", ", "
    if group:
        yield group
