"""Posted entries for an external accounting package: one row per journal line, with stable ids,
so a re-export of a period gives the same rows and an importer can skip what it already has."""

import datetime
from decimal import Decimal
from typing import Any

from tessera.core.models import Company

from .models import JournalLine

COLUMNS = (
    "entry_id", "entry_number", "entry_hash", "date", "journal", "ref", "line_id", "account", "account_name", "partner_ref",
    "partner_vat", "partner_name", "label", "debit", "credit", "currency", "amount_currency", "due_date", "vat_grids",
)  # fmt: skip


def posted_entries(company: Company, date_from: datetime.date, date_to: datetime.date) -> list[dict[str, Any]]:
    lines = (
        JournalLine.objects.filter(company=company, posted=True, date__gte=date_from, date__lte=date_to)
        .select_related("entry__journal", "account", "partner", "currency")
        .order_by("date", "entry_id", "position", "id")
    )
    return [_row(line, company) for line in lines]


def _row(line: JournalLine, company: Company) -> dict[str, Any]:
    decimals = company.currency.minor_unit
    partner = line.partner
    if line.currency:
        currency, amount_currency = line.currency.code, _amount(line.amount_currency, line.currency.minor_unit)
    else:
        currency, amount_currency = company.currency.code, _amount(line.debit - line.credit, decimals)
    return {
        "entry_id": line.entry_id,
        "entry_number": line.entry.number,
        "entry_hash": line.entry.hash,
        "date": line.date.isoformat(),
        "journal": line.entry.journal.code,
        "ref": line.entry.ref,
        "line_id": line.pk,
        "account": line.account.code,
        "account_name": line.account.name,
        "partner_ref": partner.ref if partner else "",
        "partner_vat": partner.vat if partner else "",
        "partner_name": partner.name if partner else "",
        "label": line.label,
        "debit": _amount(line.debit, decimals),
        "credit": _amount(line.credit, decimals),
        "currency": currency,
        "amount_currency": amount_currency,
        "due_date": line.date_maturity.isoformat() if line.date_maturity else "",
        "vat_grids": line.vat_grids,
    }


def _amount(value: Decimal, decimals: int) -> str:
    return f"{value:.{decimals}f}"
