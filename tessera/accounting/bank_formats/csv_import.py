"""CSV exports of a bank account: one statement, columns named by a mapping of the header row."""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from tessera.accounting.bank_formats import ParsedLine, ParsedStatement, StatementFormatError, compact_iban, unique_id

NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


@dataclass(frozen=True)
class CsvMapping:
    """Which header-row columns hold what; only date and amount are required."""

    date: str
    amount: str
    communication: str = ""
    counterpart_name: str = ""
    counterpart_iban: str = ""
    date_format: str = "%Y-%m-%d"
    decimal_separator: str = "."
    delimiter: str = ","
    account_iban: str = ""
    currency: str = "EUR"
    opening_balance: Decimal = Decimal(0)


def parse_csv(content: bytes, mapping: CsvMapping) -> list[ParsedStatement]:
    """One statement whose closing balance is the opening balance plus the rows."""
    reader = csv.DictReader(io.StringIO(_decode(content), newline=""), delimiter=mapping.delimiter)
    header = [name.strip() for name in reader.fieldnames or []]
    reader.fieldnames = header
    wanted = [mapping.date, mapping.amount, mapping.communication, mapping.counterpart_name, mapping.counterpart_iban]
    missing = [name for name in wanted if name and name not in header]
    if missing:
        raise StatementFormatError(
            _("The header row has no column %(columns)s (it has: %(header)s).")
            % {"columns": ", ".join(f"“{name}”" for name in missing), "header": ", ".join(header) or _("nothing")}
        )
    rows = []
    try:
        for row in reader:
            if any((value or "").strip() for value in row.values() if isinstance(value, str)):
                rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise StatementFormatError(_("Line %(line)d: %(error)s") % {"line": reader.line_num, "error": exc}) from None
    if not rows:
        raise StatementFormatError(_("The CSV file has no transaction rows."))
    parsed = [_row(row, number, mapping) for number, row in rows]
    first, last = min(line[0] for line in parsed), max(line[0] for line in parsed)
    identifier = f"{first:%Y-%m-%d}/{last:%Y-%m-%d}"
    account = compact_iban(mapping.account_iban)
    lines = tuple(
        ParsedLine(
            date=date,
            value_date=None,
            amount=amount,
            currency=mapping.currency,
            counterpart_name=name,
            counterpart_iban=iban,
            communication=communication,
            structured_reference="",
            bank_reference="",
            unique_id=unique_id("", identifier, account, sequence, date, amount, name, communication),
        )
        for sequence, (date, amount, name, iban, communication) in enumerate(parsed, 1)
    )
    return [
        ParsedStatement(
            format="csv",
            account_iban=account,
            currency=mapping.currency,
            identifier=identifier,
            date=last,
            opening_balance=mapping.opening_balance,
            closing_balance=mapping.opening_balance + sum((line.amount for line in lines), Decimal(0)),
            lines=lines,
        )
    ]


def _row(row: dict, number: int, mapping: CsvMapping) -> tuple[datetime.date, Decimal, str, str, str]:
    def value(column: str) -> str:
        return " ".join((row.get(column) or "").split()) if column else ""

    def error(column: str, message: str) -> StatementFormatError:
        return StatementFormatError(
            _("Row %(row)d, column “%(column)s”: %(message)s") % {"row": number, "column": column, "message": message}
        )

    try:
        date = datetime.datetime.strptime(value(mapping.date), mapping.date_format).date()
    except ValueError:
        raise error(
            mapping.date,
            _("“%(value)s” is not a date in the format %(format)s.")
            % {"value": value(mapping.date), "format": mapping.date_format},
        ) from None
    text = value(mapping.amount).replace(" ", "").replace("\u00a0", "")
    thousands = "." if mapping.decimal_separator == "," else ","
    number_text = text.replace(thousands, "").replace(mapping.decimal_separator, ".")
    if not NUMBER.fullmatch(number_text):
        raise error(mapping.amount, _("“%(value)s” is not an amount.") % {"value": value(mapping.amount)})
    amount = Decimal(number_text)
    iban = compact_iban(value(mapping.counterpart_iban))
    return date, amount, value(mapping.counterpart_name), iban, value(mapping.communication)


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")
