"""CAMT.053 (ISO 20022 bank to customer statement), any version: elements are found by local name."""

from __future__ import annotations

import dataclasses
import datetime
import re
from decimal import Decimal
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree
from django.utils.translation import gettext as _

from tessera.accounting.bank_formats import (
    ParsedLine,
    ParsedStatement,
    StatementFormatError,
    clean_reference,
    compact_iban,
    unique_id,
)

AMOUNT = re.compile(r"\d+(\.\d+)?")
NOT_BOOKED = {"PDNG", "INFO"}  # pending and information-only entries are not in the booked balance


def parse_camt(content: bytes) -> list[ParsedStatement]:
    """The statements of a CAMT.053 file, as given (the balances are not checked here)."""
    try:
        root = defusedxml.ElementTree.fromstring(content, forbid_dtd=True)
    except defusedxml.DefusedXmlException:
        raise StatementFormatError(
            _("The XML file declares a DTD or entities, which bank statements never do: it was refused for safety.")
        ) from None
    except ParseError as exc:
        raise StatementFormatError(_("The XML file is truncated or damaged: %(error)s.") % {"error": exc}) from None
    statements_root = _find(root, "BkToCstmrStmt")
    if _local(root.tag) != "Document" or statements_root is None:
        content_name = _local(root[0].tag) if _local(root.tag) == "Document" and len(root) else _local(root.tag)
        raise StatementFormatError(
            _("This is not a CAMT.053 or CODA file: the XML holds “%(element)s”, not a bank statement (BkToCstmrStmt).")
            % {"element": content_name}
        )
    stmts = _all(statements_root, "Stmt")
    if not stmts:
        raise StatementFormatError(_("The CAMT.053 file holds no statement (no Stmt element): it is incomplete."))
    created = _date(_find(statements_root, "GrpHdr", "CreDtTm"))
    return [_statement(stmt, number, created) for number, stmt in enumerate(stmts, 1)]


def _statement(stmt: Element, number: int, created: datetime.date | None) -> ParsedStatement:
    identifier = _text(stmt, "Id") or _text(stmt, "ElctrncSeqNb") or _text(stmt, "LglSeqNb") or str(number)
    where = _("Statement %(statement)s") % {"statement": identifier}
    account = compact_iban(_text(stmt, "Acct", "Id", "IBAN") or _text(stmt, "Acct", "Id", "Othr", "Id"))
    balances: dict[str, Element] = {}
    for bal in _all(stmt, "Bal"):
        balances.setdefault(_text(bal, "Tp", "CdOrPrtry", "Cd") or _text(bal, "Tp", "CdOrPrtry", "Prtry"), bal)
    opening = balances.get("OPBD", balances.get("PRCD"))
    closing = balances.get("CLBD")
    if opening is None:
        message = _("%(where)s has no opening balance (OPBD or PRCD): the file is incomplete.")
        raise StatementFormatError(message % {"where": where})
    if closing is None:
        raise StatementFormatError(_("%(where)s has no closing balance (CLBD): the file is incomplete.") % {"where": where})
    opening_balance, opening_currency = _signed_amount(opening, where)
    closing_balance = _signed_amount(closing, where)[0]
    currency = _text(stmt, "Acct", "Ccy") or opening_currency
    date = _date(_find(closing, "Dt")) or _date(_find(stmt, "CreDtTm")) or created
    if date is None:
        raise StatementFormatError(_("%(where)s has no date.") % {"where": where})
    lines: list[ParsedLine] = []
    for entry_number, entry in enumerate(_all(stmt, "Ntry"), 1):
        status = _text(entry, "Sts", "Cd") or _text(entry, "Sts")
        if status not in NOT_BOOKED:
            entry_where = _("Statement %(statement)s, entry %(entry)d") % {"statement": identifier, "entry": entry_number}
            lines.extend(_entry_lines(entry, entry_where, currency))
    return ParsedStatement(
        format="camt.053",
        account_iban=account,
        currency=currency,
        identifier=identifier,
        date=date,
        opening_balance=opening_balance,
        closing_balance=closing_balance,
        lines=tuple(
            line if line.unique_id else _with_id(line, identifier, account, sequence) for sequence, line in enumerate(lines, 1)
        ),
    )


def _entry_lines(entry: Element, where: str, currency: str) -> list[ParsedLine]:
    """One line per transaction detail when the details add up to the entry, else one line for the entry."""
    amount, currency = _signed_amount(entry, where, currency)
    booked = _date(_find(entry, "BookgDt")) or _date(_find(entry, "ValDt"))
    if booked is None:
        raise StatementFormatError(_("%(where)s has no booking date.") % {"where": where})
    value_date = _date(_find(entry, "ValDt"))
    entry_ref = _text(entry, "AcctSvcrRef")
    details: list[Element | None] = [detail for group in _all(entry, "NtryDtls") for detail in _all(group, "TxDtls")]
    amounts = [_detail_amount(detail, amount, currency) for detail in details]
    known = [a for a in amounts if a is not None]
    split = len(details) > 1 and len(known) == len(details) and sum(known) == amount
    parts = list(zip(details, known, strict=True)) if split else [(details[0] if details else None, amount)]
    lines = []
    for number, (detail, part_amount) in enumerate(parts, 1):
        party, party_account = ("Dbtr", "DbtrAcct") if part_amount > 0 else ("Cdtr", "CdtrAcct")
        reference = _text(detail, "Refs", "AcctSvcrRef")
        if not reference and entry_ref:
            reference = f"{entry_ref}/{number}" if split else entry_ref
        communication = " ".join(_texts(detail, "RmtInf", "Ustrd")) or _text(detail, "AddtlTxInf") or _text(entry, "AddtlNtryInf")
        name = _text(detail, "RltdPties", party, "Nm") or _text(detail, "RltdPties", party, "Pty", "Nm")
        lines.append(
            ParsedLine(
                date=booked,
                value_date=value_date,
                amount=part_amount,
                currency=currency,
                counterpart_name=" ".join(name.split()),
                counterpart_iban=compact_iban(_text(detail, "RltdPties", party_account, "Id", "IBAN")),
                communication=" ".join(communication.split()),
                structured_reference=clean_reference(_text(detail, "RmtInf", "Strd", "CdtrRefInf", "Ref")),
                bank_reference=reference,
                unique_id=reference,  # the statement gives a hash to those without a reference
            )
        )
    return lines


def _detail_amount(detail: Element | None, entry_amount: Decimal, currency: str) -> Decimal | None:
    """The signed amount of a transaction detail in the entry's currency, or None when it has none."""
    amt = _find(detail, "Amt")
    if amt is None:
        amt = _find(detail, "AmtDtls", "TxAmt", "Amt")
    text = (amt.text or "").strip() if amt is not None else ""
    if amt is None or amt.get("Ccy", currency) != currency or not AMOUNT.fullmatch(text):
        return None
    indicator = _text(detail, "CdtDbtInd") or ("CRDT" if entry_amount > 0 else "DBIT")
    return Decimal(text) if indicator == "CRDT" else -Decimal(text)


def _signed_amount(element: Element, where: str, currency: str = "") -> tuple[Decimal, str]:
    """The amount of a balance or an entry, negative for a debit, and its currency."""
    amt = _find(element, "Amt")
    text, currency = ((amt.text or "").strip(), amt.get("Ccy") or currency) if amt is not None else ("", currency)
    indicator = _text(element, "CdtDbtInd")
    if not AMOUNT.fullmatch(text) or indicator not in ("CRDT", "DBIT"):
        raise StatementFormatError(
            _("%(where)s: the amount “%(amount)s” with credit/debit indicator “%(indicator)s” is not valid.")
            % {"where": where, "amount": text, "indicator": indicator}
        )
    value = Decimal(text) if indicator == "CRDT" else -Decimal(text)
    return value, currency


def _with_id(line: ParsedLine, statement: str, account: str, sequence: int) -> ParsedLine:
    key = unique_id("", statement, account, sequence, line.date, line.amount, line.counterpart_name, line.communication)
    return dataclasses.replace(line, unique_id=key)


# --- namespace-agnostic navigation ---------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _all(element: Element | None, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name] if element is not None else []


def _find(element: Element | None, *path: str) -> Element | None:
    for name in path:
        if element is None:
            return None
        element = next((child for child in element if _local(child.tag) == name), None)
    return element


def _text(element: Element | None, *path: str) -> str:
    found = _find(element, *path)
    return (found.text or "").strip() if found is not None else ""


def _texts(element: Element | None, *path: str) -> list[str]:
    return [(child.text or "").strip() for child in _all(_find(element, *path[:-1]), path[-1]) if (child.text or "").strip()]


def _date(element: Element | None) -> datetime.date | None:
    """The date of an element holding a date (<Dt>) or a date and time (<DtTm>), or itself a date and time."""
    if element is None:
        return None
    text = _text(element, "Dt") or _text(element, "DtTm") or (element.text or "").strip()
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        return None
