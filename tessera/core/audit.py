"""Writing the audit trail. Services call these after they change a business record."""

import datetime
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditAction, AuditedModel, AuditEntry, AuditSource, Company, CompanyOwned, User
from .transactions import insert_when_done

_source: ContextVar[str] = ContextVar("audit_source", default=AuditSource.SYSTEM)
MASK = "***"


@contextmanager
def audit_source(source: str) -> Iterator[None]:
    """Mark the audit entries written inside the block as coming from the UI, the API or the system."""
    token = _source.set(source)
    try:
        yield
    finally:
        _source.reset(token)


def json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(value)


def _label(field: models.ForeignKey, pk: Any) -> str | None:
    if pk is None:
        return None
    related = field.related_model._default_manager.filter(pk=pk).first()
    return str(related) if related is not None else f"#{pk}"


def field_changes(instance: AuditedModel, *, created: bool) -> dict[str, dict[str, Any]]:
    """What a save changed, field by field: {"name": {"old": …, "new": …}} (labels for relations)."""
    before = {} if created else instance.loaded_values()
    changes: dict[str, dict[str, Any]] = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key or field.name in instance.audit_ignored:
            continue
        new = getattr(instance, field.attname)
        if created:
            old = None
            if new in (None, ""):
                continue
        elif field.attname not in before:
            continue
        else:
            old = before[field.attname]
            if old == new:
                continue
        if field.name in instance.audit_masked:
            changes[field.name] = {"old": None if created else MASK, "new": MASK}
            continue
        change = {"old": json_value(old), "new": json_value(new)}
        if field.is_relation:
            change["old_label"] = None if created else _label(field, old)
            related = getattr(instance, field.name)
            change["new_label"] = str(related) if related is not None else None
        changes[field.name] = change
    return changes


def snapshot(instance: AuditedModel) -> dict[str, dict[str, Any]]:
    """A deleted record's last values, as changes to nothing."""
    changes = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key or field.name in instance.audit_ignored:
            continue
        value = getattr(instance, field.attname)
        if value in (None, ""):
            continue
        changes[field.name] = {"old": MASK if field.name in instance.audit_masked else json_value(value), "new": None}
    return changes


def many_to_many_change(old: set, new: set, labels: Mapping[Any, str]) -> dict[str, Any]:
    return {
        "old": sorted(old),
        "new": sorted(new),
        "old_label": sorted(labels[pk] for pk in old),
        "new_label": sorted(labels[pk] for pk in new),
    }


def record_entry(instance: AuditedModel, action: str, *, by: User, changes: Mapping[str, Any]) -> None:
    """Write an audit entry for what happened to the record: at the end of the current operation,
    with the operation's other entries in one statement."""
    if isinstance(instance, CompanyOwned):
        company_id = instance.company_id
    elif isinstance(instance, Company):
        company_id = instance.pk
    else:
        company_id = None
    insert_when_done(
        AuditEntry(
            company_id=company_id,
            content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
            object_id=str(instance.pk),
            object_repr=str(instance)[:200],
            action=action,
            actor=by,
            source=_source.get(),
            changes=dict(changes),
        )
    )


def history_of(instance: models.Model) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True), object_id=str(instance.pk)
    ).select_related("actor")


__all__ = ["AuditAction", "audit_source", "field_changes", "history_of", "many_to_many_change", "record_entry", "snapshot"]
