"""Accounting templates (data/*.csv): charts of accounts, taxes, fiscal positions, VAT grids.
Reading them needs no database."""

import csv
from dataclasses import dataclass
from decimal import Decimal
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


@dataclass(frozen=True)
class Distribution:
    factor: Decimal
    role: str
    grid: str


@dataclass(frozen=True)
class TaxSpec:
    code: str
    use: str
    rate: Decimal
    price_include: bool
    names: dict[str, str]
    invoice_base_grids: str
    refund_base_grids: str
    invoice_distribution: tuple[Distribution, ...]
    refund_distribution: tuple[Distribution, ...]

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]


@dataclass(frozen=True)
class FiscalPositionSpec:
    code: str
    kind: str
    names: dict[str, str]
    mappings: tuple[tuple[str, str], ...]  # (source tax code, target tax code or "")

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]


def _distribution(text: str) -> tuple[Distribution, ...]:
    parts = [part.split(":") for part in text.split(";") if part.strip()]
    return tuple(Distribution(Decimal(factor), role, grid) for factor, role, grid in parts)


@cache
def read_taxes(template: str) -> tuple[TaxSpec, ...]:
    with (DATA / f"taxes_{template}.csv").open(newline="", encoding="utf-8") as handle:
        return tuple(
            TaxSpec(
                code=row["code"],
                use=row["use"],
                rate=Decimal(row["rate"]),
                price_include=row["price_include"] == "true",
                names={language: row[column] for language, column in NAME_COLUMNS.items()},
                invoice_base_grids=row["invoice_base_grids"].strip(),
                refund_base_grids=row["refund_base_grids"].strip(),
                invoice_distribution=_distribution(row["invoice_tax_lines"]),
                refund_distribution=_distribution(row["refund_tax_lines"]),
            )
            for row in csv.DictReader(handle)
        )


@cache
def read_fiscal_positions(template: str) -> tuple[FiscalPositionSpec, ...]:
    with (DATA / f"fiscal_positions_{template}.csv").open(newline="", encoding="utf-8") as handle:
        return tuple(
            FiscalPositionSpec(
                code=row["code"],
                kind=row["kind"],
                names={language: row[column] for language, column in NAME_COLUMNS.items()},
                mappings=tuple(tuple(pair.split(">", 1)) for pair in row["mappings"].split(";") if pair.strip()),
            )
            for row in csv.DictReader(handle)
        )


@cache
def read_vat_grids(template: str) -> dict[str, tuple[int, str]]:
    """Grid code -> (sign of debit − credit in it, English label)."""
    with (DATA / f"vat_grids_{template}.csv").open(newline="", encoding="utf-8") as handle:
        return {row["grid"]: (int(row["sign"]), row["label_en"]) for row in csv.DictReader(handle)}
