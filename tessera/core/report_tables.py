"""The tables report pages show (core/report_page.html) and export: cells formatted for the page,
or kept as values for CSV and XLSX."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.formats import date_format, number_format


class Qty(Decimal):
    """A quantity in a table: shown with the decimals it has, where amounts show two."""


@dataclass(frozen=True)
class Link:
    text: Any
    url: str | None


@dataclass(frozen=True)
class Table:
    header: Sequence[Any]
    rows: list[list[Any]]
    totals: list[Any] | None = None
    title: Any = ""
    note: Any = ""


def short_day(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def shown_cell(cell: Any) -> tuple[str, bool]:
    """A cell as the page shows it, and whether it is a number (aligned right)."""
    if isinstance(cell, Qty):
        return number_format(cell.normalize(), force_grouping=True), True
    if isinstance(cell, Decimal):
        return floatformat(cell, "2g"), True
    if isinstance(cell, int) and not isinstance(cell, bool):
        return str(cell), True
    if isinstance(cell, datetime.datetime):
        return date_format(timezone.localtime(cell), "SHORT_DATETIME_FORMAT"), False
    if isinstance(cell, datetime.date):
        return short_day(cell), False
    return ("" if cell is None else str(cell)), False


def exported_cell(cell: Any) -> Any:
    """A cell as CSV and XLSX get it: numbers stay numbers, dates ISO, links their text."""
    if isinstance(cell, Link):
        return str(cell.text)
    if isinstance(cell, datetime.datetime):
        return timezone.localtime(cell).strftime("%Y-%m-%d %H:%M")
    if isinstance(cell, datetime.date):
        return cell.isoformat()
    return cell


def rendered_table(table: Table) -> dict[str, Any]:
    """The table as core/report_page.html shows it: each cell (text, is a number, link)."""

    def cells(row: list[Any]) -> list[tuple[str, bool, str | None]]:
        shown = []
        for cell in row:
            text, number = shown_cell(cell.text if isinstance(cell, Link) else cell)
            shown.append((text, number, cell.url if isinstance(cell, Link) else None))
        return shown

    return {
        "title": table.title, "note": table.note, "header": table.header, "rows": [cells(row) for row in table.rows],
        "totals": cells(table.totals) if table.totals else None,
    }  # fmt: skip
