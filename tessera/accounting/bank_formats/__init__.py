"""Parsers of the bank's statement files: CAMT.053 (XML), Belgian CODA and CSV with a column mapping.

Pure: bytes in, `ParsedStatement`s out; no database. `parse_statement_file` detects the format and
checks that every statement adds up (opening balance + transactions = closing balance).
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class ParsedLine:
    date: datetime.date  # booking date
    value_date: datetime.date | None
    amount: Decimal  # signed: + money in, − money out
    currency: str  # ISO 4217
    counterpart_name: str
    counterpart_iban: str  # compact, upper case, or ""
    communication: str  # free text (unstructured remittance information)
    structured_reference: str  # Belgian structured communication as 12 digits, an RF creditor reference, or ""
    bank_reference: str  # the bank's unique reference of the transaction, or ""
    unique_id: str  # stable id for duplicate detection


@dataclass(frozen=True)
class ParsedStatement:
    format: str  # "camt.053", "coda", "csv"
    account_iban: str
    currency: str
    identifier: str  # the statement's id or number as the bank gives it
    date: datetime.date  # closing date of the statement
    opening_balance: Decimal
    closing_balance: Decimal
    lines: tuple[ParsedLine, ...]


class StatementFormatError(ValueError):
    """The file cannot be read as a bank statement; the message tells the user what is wrong."""


def parse_statement_file(content: bytes, filename: str = "", csv_mapping: CsvMapping | None = None) -> list[ParsedStatement]:
    """Detect the format (CAMT.053 XML, CODA, or CSV when a mapping is given) and parse; a file may hold several statements."""
    head = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:64]
    if not head:
        raise StatementFormatError(_("The file is empty."))
    if head.startswith(b"<"):
        statements = camt.parse_camt(content)
    elif re.match(rb"0{5}\d{6}", head):
        statements = coda.parse_coda(content)
    elif csv_mapping is not None:
        statements = csv_import.parse_csv(content, csv_mapping)
    elif filename.lower().endswith(".csv"):
        raise StatementFormatError(_("A CSV file needs a column mapping: say which columns hold the date and the amount."))
    else:
        raise StatementFormatError(_("This is not a CAMT.053 or CODA file."))
    for statement in statements:
        check_balance(statement)
    return statements


def check_balance(statement: ParsedStatement) -> None:
    """Opening balance + the transactions must give the closing balance, else the file is truncated or corrupt."""
    total = sum((line.amount for line in statement.lines), Decimal(0))
    if statement.opening_balance + total != statement.closing_balance:
        raise StatementFormatError(
            _(
                "Statement %(statement)s does not add up: opening balance %(opening)s + transactions %(total)s = "
                "%(computed)s, but the closing balance is %(closing)s. The file is truncated or corrupt."
            )
            % {
                "statement": statement.identifier,
                "opening": statement.opening_balance,
                "total": total,
                "computed": statement.opening_balance + total,
                "closing": statement.closing_balance,
            }
        )


# --- helpers shared by the parsers ---------------------------------------------------------------


def compact_iban(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value).upper()


def clean_reference(value: str) -> str:
    """A Belgian structured communication (+++123/4567/89012+++) as its 12 digits, an RF creditor
    reference in compact form; any other reference as given."""
    compact = re.sub(r"[\s+/*]", "", value).upper()
    return compact if compact.isdigit() or re.fullmatch(r"RF\d\d[A-Z0-9]{1,21}", compact) else value.strip()


def unique_id(
    bank_reference: str, statement: str, account: str, sequence: int, date: datetime.date, amount: Decimal, *texts: str
) -> str:
    """The bank's reference when there is one, else a hash of what identifies the transaction in its statement."""
    if bank_reference:
        return bank_reference
    key = "\x1f".join([account, statement, str(sequence), date.isoformat(), f"{amount:f}", *texts])
    return hashlib.sha256(key.encode()).hexdigest()[:40]


# The parsers import the types above, so they come last.
from tessera.accounting.bank_formats import camt, coda, csv_import  # noqa: E402
from tessera.accounting.bank_formats.csv_import import CsvMapping  # noqa: E402

__all__ = ["CsvMapping", "ParsedLine", "ParsedStatement", "StatementFormatError", "parse_statement_file"]
