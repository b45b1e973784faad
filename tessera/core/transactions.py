"""One transaction per business operation, with no more savepoints and statements than it needs."""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.db import models, transaction

T = TypeVar("T")


@contextmanager
def operation() -> Iterator[None]:
    """The all-or-nothing block of a service.

    The outermost operation opens the transaction, or takes a savepoint when its caller already
    holds one (a request, a test), so that a refused operation leaves the caller's transaction
    usable. An operation called from inside another joins it without a savepoint: when it fails,
    the outer one is rolled back with it anyway, and a savepoint would cost two statements for
    nothing. A service that catches a database error to carry on uses its own `transaction.atomic()`.
    Rows given to `insert_when_done` are written when the outermost operation succeeds, and what
    `remembered` reads is read once per outermost operation.
    """
    connection = transaction.get_connection()
    depth = getattr(connection, "tessera_operation_depth", 0)
    if depth == 0:
        connection.tessera_pending_rows = []
        connection.tessera_memo = {}
    with transaction.atomic(savepoint=depth == 0):
        connection.tessera_operation_depth = depth + 1
        try:
            yield
            if depth == 0:
                _insert_pending(connection.tessera_pending_rows)
        finally:
            connection.tessera_operation_depth = depth
            if depth == 0:
                connection.tessera_pending_rows = []
                connection.tessera_memo = {}


def remembered(model: type[models.Model], key: Hashable, read: Callable[[], T]) -> T:
    """What `read` returns from the model's table, read once per operation: settings and lookups that
    several services of one operation all need. Saving a record of the model through core's
    record_save forgets what was read of it. Outside an operation, read every time."""
    connection = transaction.get_connection()
    if not getattr(connection, "tessera_operation_depth", 0):
        return read()
    memo = connection.tessera_memo.setdefault(model, {})
    if key not in memo:
        memo[key] = read()
    return memo[key]


def forget(model: type[models.Model]) -> None:
    """Drop what `remembered` read of the model in the current operation."""
    getattr(transaction.get_connection(), "tessera_memo", {}).pop(model, None)


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
