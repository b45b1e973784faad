"""Writing different values to many rows in one statement, cheaper than `bulk_update`'s CASE
expressions, which Django builds and compiles field by field and row by row."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection, models


def rows_update(
    model: type[models.Model], fields: Sequence[str], rows: Mapping[Any, Sequence[Any]], *, add: bool = False
) -> None:
    """Set `fields` of each row (by primary key) to its values, or with `add`, add the values to them.

    One `WITH v AS (VALUES …) UPDATE …` statement, valid on PostgreSQL and SQLite. Adding is safe
    under concurrency without locking the rows first; setting needs them locked or owned."""
    if not rows:
        return
    opts = model._meta
    table = connection.ops.quote_name(opts.db_table)
    pk = connection.ops.quote_name(opts.pk.column)
    columns = [connection.ops.quote_name(opts.get_field(name).column) for name in fields]
    names = ["id", *(f"v{position}" for position in range(len(fields)))]
    values = ", ".join(["(" + ", ".join(["%s"] * len(names)) + ")"] * len(rows))
    assignments = ", ".join(
        f"{column} = {column + ' + ' if add else ''}(SELECT {name} FROM v WHERE v.id = {table}.{pk})"
        for column, name in zip(columns, names[1:], strict=True)
    )
    params = [value for key, row in rows.items() for value in (key, *row)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH v ({', '.join(names)}) AS (VALUES {values}) UPDATE {table} SET {assignments} WHERE {pk} IN (SELECT id FROM v)",
            params,
        )


def many_to_many_add(records: Sequence[models.Model], field: str, related: Sequence[Sequence[models.Model]]) -> None:
    """Link each newly saved record to its related records in one INSERT (instead of one `set()` per
    record, which reads the current links first). `related[i]` belongs to `records[i]`."""
    if not records:
        return
    manager_field = records[0]._meta.get_field(field)
    through = manager_field.remote_field.through
    source, target = manager_field.m2m_field_name(), manager_field.m2m_reverse_field_name()
    through.objects.bulk_create(
        through(**{f"{source}_id": record.pk, f"{target}_id": other.pk})
        for record, others in zip(records, related, strict=True)
        for other in others
    )
