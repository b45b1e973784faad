"""Constraint conditions decided in Python when a record is validated.

Django validates a model's CheckConstraint by asking the database (`SELECT 1 WHERE <condition>`),
one query per constraint per record, and a partial UniqueConstraint with one query even when the
record is outside the constraint's condition. Our conditions compare a record's own fields with constants or
with each other, which Python decides just as well; the database still enforces them on write.
A condition this module cannot read (joins, functions, other lookups) is left to Django.
"""

import operator
from collections.abc import Callable
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import F, Q

COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


class _Undecidable(Exception):
    pass


class _Excluded(Exception):
    pass


def check_holds(condition: Q, instance: models.Model, exclude: set[str]) -> bool | None:
    """Whether the instance's values satisfy the condition as SQL's `COALESCE(condition, TRUE)` would
    decide; a condition on an excluded field holds (Django skips it too); None when this reader
    cannot decide."""
    try:
        return _truth(condition, instance, exclude) is not False
    except _Excluded:
        return True
    except _Undecidable:
        return None


def condition_met(condition: Q, instance: models.Model, exclude: set[str]) -> bool | None:
    """Whether the instance's values meet a partial unique constraint's condition (an unknown
    comparison does not); None when this reader cannot decide or a field is excluded."""
    try:
        return _truth(condition, instance, exclude) is True
    except (_Excluded, _Undecidable):
        return None


def _truth(node: Any, instance: models.Model, exclude: set[str]) -> bool | None:
    """Three-valued: None is SQL's unknown (a comparison with NULL)."""
    if isinstance(node, Q):
        values = [_truth(child, instance, exclude) for child in node.children]
        result = _combine(node.connector, values)
        return None if result is None else (not result if node.negated else result)
    if isinstance(node, tuple) and len(node) == 2:
        return _lookup(*node, instance=instance, exclude=exclude)
    raise _Undecidable


def _combine(connector: str, values: list[bool | None]) -> bool | None:
    if connector == Q.AND:
        return False if False in values else None if None in values else True
    if connector == Q.OR:
        return True if True in values else None if None in values else False
    if connector == Q.XOR:
        return None if None in values else sum(values) % 2 == 1
    raise _Undecidable


def _lookup(path: str, expected: Any, *, instance: models.Model, exclude: set[str]) -> bool | None:
    name, _, lookup = path.partition("__")
    lookup = lookup or "exact"
    actual = _field_value(name, instance, exclude)
    if lookup == "isnull":
        if not isinstance(expected, bool):
            raise _Undecidable
        return (actual is None) == expected
    if isinstance(expected, F):
        expected = _field_value(expected.name, instance, exclude)
    elif hasattr(expected, "resolve_expression"):
        raise _Undecidable
    if lookup == "in" and isinstance(expected, list | tuple | set | frozenset):
        return None if actual is None else actual in expected
    compare = COMPARISONS.get(lookup)
    if compare is None:
        raise _Undecidable
    if actual is None or expected is None:
        return None
    try:
        return compare(actual, expected)
    except TypeError:
        raise _Undecidable from None


def _field_value(name: str, instance: models.Model, exclude: set[str]) -> Any:
    try:
        field = instance._meta.get_field(name)
    except FieldDoesNotExist:
        raise _Undecidable from None
    if not field.concrete or "__" in name or getattr(field, "generated", False):
        raise _Undecidable
    if field.name in exclude:
        raise _Excluded
    value = getattr(instance, field.attname)
    if hasattr(value, "resolve_expression"):
        raise _Undecidable
    return field.to_python(value) if value is not None else None
