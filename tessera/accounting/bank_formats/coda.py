"""Belgian CODA 2.x (Febelfin): fixed records of 128 characters.

Records: 0 header, 1 old balance, 21/22/23 movement, 31/32/33 information, 4 free communication,
8 new balance, 9 trailer. One line per movement (detail number 0000); the detail records of a
globalised movement (types 5 to 9) only explain it, so they are not lines of their own.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from stdnum import iban as iban_number

from tessera.accounting.bank_formats import ParsedLine, ParsedStatement, StatementFormatError, unique_id

RECORD_LENGTH = 128
CENT = Decimal("0.01")
STRUCTURED = ("101", "102")  # Belgian structured communication (+++123/4567/89012+++), as given or reconstituted


@dataclass
class _Movement:
    key: str  # continuous sequence number + detail number
    bank_reference: str
    amount: Decimal
    value_date: datetime.date | None
    entry_date: datetime.date | None
    structured: bool
    zones: list[str]
    counterpart_name: str = ""
    counterpart_iban: str = ""


@dataclass
class _Statement:
    account: str
    currency: str
    number: str
    opening: Decimal
    movements: list[_Movement] = field(default_factory=list)


@dataclass
class _File:
    """Between a header (0) and a trailer (9): the counts the trailer must repeat."""

    created: datetime.date | None
    records: int = 0
    debit: Decimal = Decimal(0)
    credit: Decimal = Decimal(0)


def parse_coda(content: bytes) -> list[ParsedStatement]:
    """The statements of a CODA file, as given (the record 9 totals are checked, the balances are not)."""
    statements: list[ParsedStatement] = []
    file: _File | None = None
    statement: _Statement | None = None
    movement: _Movement | None = None  # the movement that records 22 and 23 continue (None: a detail, skipped)
    last_key = ""
    lines = _decode(content).rstrip("\r\n\x1a ").split("\n")
    for number, record in enumerate((line.rstrip("\r") for line in lines), 1):
        if not record:
            continue
        if len(record) != RECORD_LENGTH:
            raise _error(
                number,
                _("the record has %(length)d characters instead of 128: the file is truncated or damaged.")
                % {"length": len(record)},
            )
        kind = record[0] if record[0] in "01489" else record[:2]
        if kind == "0":
            if file is not None:
                raise _error(number, _("a new header record (0) before the trailer record (9): the file is truncated."))
            if record[127] != "2":
                raise _error(number, _("this is CODA version %(version)s; ask the bank for CODA 2.") % {"version": record[127]})
            file = _File(created=_date(record[5:11], number))
            continue
        if file is None:
            raise _error(number, _("the file does not start with a CODA header record (0)."))
        if kind in ("21", "22", "23", "31", "32", "33", "4") and statement is None:
            raise _error(number, _("a movement or information record outside a statement."))
        if kind == "1":
            if statement is not None:
                raise _error(number, _("a new statement (1) before the new balance record (8) of the previous one."))
            statement = _old_balance(record, number)
        elif kind == "21":
            movement = _movement(record, number)
            last_key = movement.key
            if record[6:10] == "0000":
                statement.movements.append(movement)
                file.debit += -movement.amount if movement.amount < 0 else Decimal(0)
                file.credit += movement.amount if movement.amount > 0 else Decimal(0)
            else:
                movement = None
        elif kind in ("22", "23"):
            if record[2:10] != last_key:
                raise _error(number, _("record %(kind)s does not follow its movement record 21.") % {"kind": kind})
            if movement is not None:
                _continue_movement(movement, record)
        elif kind == "8":
            if statement is None:
                raise _error(number, _("a new balance record (8) without an old balance record (1)."))
            statements.append(_new_balance(statement, record, number, file.created))
            statement, movement, last_key = None, None, ""
        elif kind == "9":
            if statement is not None:
                raise _error(number, _("the trailer record (9) comes before the new balance record (8)."))
            _check_trailer(file, record, number)
            file = None
            continue
        elif kind not in ("31", "32", "33", "4"):
            raise _error(number, _("unknown record type “%(kind)s”.") % {"kind": record[:2]})
        if kind != "4":
            file.records += 1
    if statement is not None:
        raise StatementFormatError(
            _("The file is truncated: statement %(number)s has no new balance record (8).") % {"number": statement.number}
        )
    if file is not None:
        raise StatementFormatError(_("The file is truncated: the trailer record (9) is missing."))
    if not statements:
        raise StatementFormatError(_("The CODA file holds no statement."))
    return statements


def _old_balance(record: str, number: int) -> _Statement:
    structure = record[1]
    if structure == "0":  # Belgian account number
        account, currency = _belgian_iban(record[5:17]) or record[5:17], record[18:21]
    elif structure == "2":  # IBAN of a Belgian account
        account, currency = record[5:21], record[39:42]
    elif structure in ("1", "3"):  # foreign account number, IBAN of a foreign account
        account, currency = record[5:39], record[39:42]
    else:
        raise _error(number, _("unknown account structure “%(code)s” in the old balance record.") % {"code": structure})
    return _Statement(
        account="".join(account.split()).upper(),
        currency=currency.strip(),
        number=record[2:5].strip() or record[125:128].strip(),
        opening=_amount(record[42], record[43:58], number),
    )


def _movement(record: str, number: int) -> _Movement:
    return _Movement(
        key=record[2:10],
        bank_reference=record[10:31].strip(),
        amount=_amount(record[31], record[32:47], number),
        value_date=_date(record[47:53], number),
        entry_date=_date(record[115:121], number),
        structured=record[61] == "1",
        zones=[record[62:115]],
    )


def _continue_movement(movement: _Movement, record: str) -> None:
    if record[1] == "2":
        movement.zones.append(record[10:63])
        return
    movement.zones.append(record[82:125])
    movement.counterpart_name = " ".join(record[47:82].split())
    account = record[10:44].split()
    movement.counterpart_iban = _counterpart_iban(account[0]) if account else ""


def _new_balance(statement: _Statement, record: str, number: int, created: datetime.date | None) -> ParsedStatement:
    closing = _amount(record[41], record[42:57], number)
    date = _date(record[57:63], number) or created
    if date is None:
        raise _error(number, _("the new balance record has no date."))
    identifier = f"{date.year}/{statement.number}"
    lines = []
    for sequence, movement in enumerate(statement.movements, 1):
        zone = "".join(movement.zones)
        reference, communication = "", zone
        if movement.structured:
            code, communication = zone[:3], zone[3:]
            if code in STRUCTURED and zone[3:15].isdigit():
                reference, communication = zone[3:15], zone[15:]
        communication = " ".join(communication.split())
        booked = movement.entry_date or movement.value_date or date
        texts = (movement.counterpart_name, communication)
        line_id = unique_id(movement.bank_reference, identifier, statement.account, sequence, booked, movement.amount, *texts)
        lines.append(
            ParsedLine(
                date=booked,
                value_date=movement.value_date,
                amount=movement.amount,
                currency=statement.currency,
                counterpart_name=movement.counterpart_name,
                counterpart_iban=movement.counterpart_iban,
                communication=communication,
                structured_reference=reference,
                bank_reference=movement.bank_reference,
                unique_id=line_id,
            )
        )
    return ParsedStatement(
        format="coda",
        account_iban=statement.account,
        currency=statement.currency,
        identifier=identifier,
        date=date,
        opening_balance=statement.opening,
        closing_balance=closing,
        lines=tuple(lines),
    )


def _check_trailer(file: _File, record: str, number: int) -> None:
    records, debit, credit = record[16:22], _amount("0", record[22:37], number), _amount("0", record[37:52], number)
    if not records.isdigit() or (int(records), debit, credit) != (file.records, file.debit, file.credit):
        raise _error(
            number,
            _(
                "the trailer record counts %(records)s records, %(debit)s debit and %(credit)s credit, but the file holds "
                "%(file_records)d records, %(file_debit)s debit and %(file_credit)s credit: the file is incomplete or damaged."
            )
            % {
                "records": records.lstrip("0") or "0",
                "debit": debit,
                "credit": credit,
                "file_records": file.records,
                "file_debit": file.debit,
                "file_credit": file.credit,
            },
        )


# --- fields --------------------------------------------------------------------------------------


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("latin-1")


def _error(number: int, message: str) -> StatementFormatError:
    return StatementFormatError(_("Line %(line)d: %(message)s") % {"line": number, "message": message})


def _amount(sign: str, digits: str, number: int) -> Decimal:
    """15 digits with 3 implied decimals; sign 0 is a credit, 1 a debit."""
    if sign not in "01" or not digits.isdigit():
        raise _error(number, _("“%(amount)s” is not an amount.") % {"amount": sign + digits})
    amount = Decimal(digits).scaleb(-3)
    if amount == amount.quantize(CENT):
        amount = amount.quantize(CENT)
    return -amount if sign == "1" else amount


def _date(text: str, number: int) -> datetime.date | None:
    """A date as DDMMYY; zeros or blanks mean none."""
    if text.strip(" 0") == "":
        return None
    try:
        return datetime.datetime.strptime(text, "%d%m%y").date()
    except ValueError:
        raise _error(number, _("“%(date)s” is not a date (DDMMYY).") % {"date": text}) from None


def _belgian_iban(bban: str) -> str:
    """The IBAN of a 12-digit Belgian account number, or "" when it is not one."""
    if not (len(bban) == 12 and bban.isdigit() and (int(bban[:10]) % 97 or 97) == int(bban[10:])):
        return ""
    return f"BE{98 - int(bban + '111400') % 97:02d}{bban}"


def _counterpart_iban(account: str) -> str:
    account = account.upper()
    if iban_number.is_valid(account):
        return iban_number.compact(account)
    return _belgian_iban(account)
