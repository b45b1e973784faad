"""Creating demo records through the core services, each one only when it is not there yet."""

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from django.db import models

from .. import services
from ..models import AuditedModel, User

M = TypeVar("M", bound=AuditedModel)
K = TypeVar("K", bound=Hashable)


@dataclass
class Tally:
    created: int = 0
    found: int = 0


def index(records: Iterable[M], key: Callable[[M], K]) -> dict[K, M]:
    """The records by their natural key, so that each demo record is looked up without a query."""
    return {key(record): record for record in records}


class Loader:
    """Saves records as `by` (so they are audited) and counts, per model, what it created and what it found."""

    def __init__(self, by: User) -> None:
        self.by = by
        self.tallies: dict[type[models.Model], Tally] = {}

    def ensure(self, existing: Mapping[K, M], key: K, create: Callable[[], M]) -> M:
        """The record saved under `key`, or the one `create` saves when there is none."""
        record = existing.get(key)
        if record is not None:
            self._tally(record).found += 1
            return record
        record = create()
        self._tally(record).created += 1
        return record

    def save(self, record: M, m2m: Mapping[str, Iterable[models.Model]] | None = None) -> M:
        return services.record_save(record, by=self.by, m2m=m2m)

    def _tally(self, record: models.Model) -> Tally:
        return self.tallies.setdefault(type(record), Tally())
