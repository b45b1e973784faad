"""Document workflows: one helper applies a state transition as a guarded update and audits it."""

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from . import audit
from .errors import BusinessError
from .models import AuditAction, AuditedModel, User
from .transactions import rows_written

Transitions = Mapping[str, frozenset[str]]


def apply_transition(
    record: AuditedModel,
    to: str,
    *,
    transitions: Transitions,
    by: User,
    field: str = "state",
    also: Mapping[str, Any] | None = None,
) -> None:
    """Move `record` to state `to` if the table allows it from its current state.

    The update is guarded by the current state (`UPDATE … WHERE pk = … AND state = <current>`), so
    two concurrent transitions cannot both succeed; `also` sets other columns in the same update.
    The change is written to the audit trail.
    """
    current = getattr(record, field)
    if to not in transitions.get(current, frozenset()):
        raise BusinessError(
            _("A %(thing)s cannot go from %(from)s to %(to)s.")
            % {"thing": record._meta.verbose_name, "from": _label(record, field, current), "to": _label(record, field, to)},
            code="invalid_transition",
        )
    values = {field: to, **(also or {})}
    changed = type(record)._default_manager.filter(pk=record.pk, **{field: current}).update(**values)
    rows_written(type(record))
    if changed != 1:
        raise BusinessError(
            _("This %(thing)s was changed by someone else meanwhile. Reload it and try again.")
            % {"thing": record._meta.verbose_name},
            code="concurrent_change",
        )
    changes = {
        name: {"old": audit.json_value(getattr(record, name)), "new": audit.json_value(value)} for name, value in values.items()
    }
    for name, value in values.items():
        setattr(record, name, value)
    audit.record_entry(record, AuditAction.UPDATE, by=by, changes=changes)
    record.remember_saved_values()


def _label(record: models.Model, field: str, value: str) -> str:
    choices = dict(record._meta.get_field(field).flatchoices)
    return str(choices.get(value, value))
