"""One transaction per business operation, with no more savepoints and statements than it needs."""

import secrets
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import models, transaction

# Signals only keep a cache right, whoever writes the rows (services, the admin, the shell): no business effect.
from django.db.models.signals import m2m_changed, post_delete, post_save  # noqa: TID251

from .models.configuration import ConfigurationVersion

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

_configuration_models: set[type[models.Model]] = set()


@contextmanager
def operation() -> Iterator[None]:
    """The all-or-nothing block of a service.

    The outermost operation opens the transaction, or takes a savepoint when its caller already
    holds one (a request, a test), so that a refused operation leaves the caller's transaction
    usable. An operation called from inside another joins it without a savepoint: when it fails,
    the outer one is rolled back with it anyway, and a savepoint would cost two statements for
    nothing. A service that catches a database error to carry on uses its own `transaction.atomic()`.
    Rows given to `insert_when_done` are written when the outermost operation succeeds, and what
    `remembered` reads is read once per outermost operation (once per configuration version for
    configuration models).
    """
    connection = transaction.get_connection()
    depth = getattr(connection, "tessera_operation_depth", 0)
    if depth == 0:
        _start(connection)
    with transaction.atomic(savepoint=depth == 0):
        connection.tessera_operation_depth = depth + 1
        try:
            yield
            if depth == 0:
                _insert_pending(connection.tessera_pending_rows)
        finally:
            connection.tessera_operation_depth = depth
            if depth == 0:
                _start(connection)


def _start(connection: Any) -> None:
    connection.tessera_pending_rows = []
    connection.tessera_memo = {}
    connection.tessera_version_checked = False
    connection.tessera_configuration_written = False


def remembered(model: type[models.Model], key: Hashable, read: Callable[[], T]) -> T:
    """What `read` returns from the model's table, read once per operation: settings and lookups that
    several services of one operation all need. Saving a record of the model through core's
    record_save forgets what was read of it. Outside an operation, read every time.

    For a configuration model (see `configuration_models`) what is read is kept across operations
    while the configuration version stays the same; the callers must not change what they get."""
    connection = transaction.get_connection()
    if not getattr(connection, "tessera_operation_depth", 0):
        return read()
    memo = _memo_of(connection, model)
    if key not in memo:
        memo[key] = read()
    return memo[key]


def remembered_each(
    model: type[models.Model], scope: str, keys: Iterable[K], read: Callable[[list[K]], Mapping[K, T]], default: T
) -> dict[K, T]:
    """`remembered` for many keys at once (the settings of several products): what is not remembered
    yet is read in one call; `default` stands for a key `read` does not return. `scope` tells apart
    the different readings of one model."""
    keys = list(dict.fromkeys(keys))
    connection = transaction.get_connection()
    if not getattr(connection, "tessera_operation_depth", 0):
        found = read(keys) if keys else {}
        return {key: found.get(key, default) for key in keys}
    memo = _memo_of(connection, model)
    missing = [key for key in keys if (scope, key) not in memo]
    if missing:
        found = read(missing)
        memo.update({(scope, key): found.get(key, default) for key in missing})
    return {key: memo[scope, key] for key in keys}


def _memo_of(connection: Any, model: type[models.Model]) -> dict:
    """What the current operation remembers of the model: kept across operations for a configuration model."""
    memo = _shared_memo(connection) if model in _configuration_models else connection.tessera_memo
    return memo.setdefault(model, {})


def _shared_memo(connection: Any) -> dict:
    """The memo kept across operations; the operation's own once it wrote configuration (what it
    reads may still be rolled back) or when the version row is missing (a flushed test database)."""
    if connection.tessera_configuration_written:
        return connection.tessera_memo
    if not connection.tessera_version_checked:
        version = _read_version(connection)
        if version is None or version != getattr(connection, "tessera_version", None):
            connection.tessera_shared_memo = {}
        connection.tessera_version = version
        connection.tessera_version_checked = True
    return connection.tessera_memo if connection.tessera_version is None else connection.tessera_shared_memo


def _read_version(connection: Any) -> int | None:
    table = connection.ops.quote_name(ConfigurationVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {table} WHERE id = 1")
        row = cursor.fetchone()
    return None if row is None else row[0]


def forget(model: type[models.Model]) -> None:
    """Drop what `remembered` read of the model in the current operation."""
    getattr(transaction.get_connection(), "tessera_memo", {}).pop(model, None)


def forget_configuration() -> None:
    """Drop everything kept across operations (the test suite calls it between tests)."""
    _drop_kept(transaction.get_connection())


def _drop_kept(connection: Any) -> None:
    connection.tessera_shared_memo = {}
    connection.tessera_version = None


def configuration_models(*configuration: type[models.Model]) -> None:
    """Declare models that change rarely and are read by every operation (settings, account roles,
    journals, locations…): `remembered` keeps what it reads of them across operations. Saving or
    deleting one of their records, in any process, changes the configuration version, and every
    process reads them again. Code that writes them without saving models (bulk_create, update)
    calls `rows_written`."""
    for model in configuration:
        _configuration_models.add(model)
        post_save.connect(_on_write, sender=model, weak=False, dispatch_uid=f"configuration-save-{model._meta.label}")
        post_delete.connect(_on_write, sender=model, weak=False, dispatch_uid=f"configuration-delete-{model._meta.label}")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                _on_write, sender=field.remote_field.through, weak=False, dispatch_uid=f"configuration-m2m-{field}"
            )


def _on_write(**_kwargs: Any) -> None:
    _configuration_changed()


def rows_written(model: type[models.Model]) -> None:
    """Tell that rows of `model` were written without saving model instances (an UPDATE, a bulk
    insert): a configuration model gets a new version."""
    if model in _configuration_models:
        _configuration_changed()


def _configuration_changed() -> None:
    """Give the configuration a new version, with the transaction that changed it: every process reads
    configuration again once it commits. A random token, not a counter, so that a rolled-back
    version can never be mistaken for a later one."""
    connection = transaction.get_connection()
    _drop_kept(connection)
    if getattr(connection, "tessera_operation_depth", 0):
        if connection.tessera_configuration_written:
            return
        connection.tessera_configuration_written = True
    table = connection.ops.quote_name(ConfigurationVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET token = %s WHERE id = 1", [secrets.randbits(62)])


def insert_when_done(row: models.Model) -> None:
    """Insert an append-only row (an audit entry) at the end of the current operation, in one
    statement with the others of its kind; outside an operation, now."""
    connection = transaction.get_connection()
    if getattr(connection, "tessera_operation_depth", 0):
        connection.tessera_pending_rows.append(row)
    else:
        row.save()


def _insert_pending(rows: list[models.Model]) -> None:
    by_model: dict[type[models.Model], list[models.Model]] = {}
    for row in rows:
        by_model.setdefault(type(row), []).append(row)
    for model, model_rows in by_model.items():
        model.objects.bulk_create(model_rows)
