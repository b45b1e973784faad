"""Chart-of-accounts templates (data/chart_*.csv): reading them needs no database."""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
NAME_COLUMNS = {"fr": "name_fr", "nl": "name_nl", "en": "name_en"}


@dataclass(frozen=True)
class AccountSpec:
    code: str
    names: dict[str, str]
    type: str
    reconcile: bool
    roles: tuple[str, ...]

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]


def template_for(country: str) -> str:
    """The Belgian minimum standard chart for Belgian companies, a small generic chart otherwise."""
    return "be" if country == "BE" else "generic"


@cache
def read_chart(template: str) -> tuple[AccountSpec, ...]:
    with (DATA / f"chart_{template}.csv").open(newline="", encoding="utf-8") as handle:
        return tuple(
            AccountSpec(
                code=row["code"],
                names={language: row[column] for language, column in NAME_COLUMNS.items()},
                type=row["type"],
                reconcile=row["reconcile"] == "true",
                roles=tuple(row["tags"].split()),
            )
            for row in csv.DictReader(handle)
        )
