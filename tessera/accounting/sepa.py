"""SEPA credit transfer files (ISO 20022 pain.001.001.03) for the company's bank. Pure: no ORM.

Purchasing's supplier payment runs, and later HR's salary payments, hand a debtor account and a list
of transfers to `credit_transfer_file`, which checks them and returns the XML document to upload to
the bank: one payment information block, in euros, with the charges shared (SLEV). A Belgian
structured communication (+++123/4567/89002+++) travels as a structured creditor reference (SCOR,
issuer BBA); any other communication as free text. Text is converted to the SEPA Latin character set
and cut to the lengths the schema allows.
"""

import datetime
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.be import ogm_vcs
from stdnum.exceptions import ValidationError

from tessera.core.errors import InvalidInput

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
CURRENCY = "EUR"
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999.99")  # the largest amount the SEPA rulebook allows in one transfer
ID_LENGTH, NAME_LENGTH, REMITTANCE_LENGTH = 35, 70, 140
BIC_PATTERN = re.compile(r"[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?")  # the schema's BICIdentifier
NOT_SEPA = re.compile(r"[^A-Za-z0-9/?:().,'+ -]+")
# Letters that have no decomposition into a base letter and accents
LETTERS = str.maketrans({"ß": "ss", "Æ": "AE", "æ": "ae", "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe", "Ł": "L", "ł": "l"})


@dataclass(frozen=True)
class SepaDebtor:
    """The account the money leaves: the company's own."""

    name: str
    iban: str
    bic: str = ""


@dataclass(frozen=True)
class SepaTransfer:
    """One payment. `amount` is in euros with at most 2 decimals; `currency` is there to refuse any other.

    Give at most one of `structured_reference` (a Belgian structured communication) and `remittance`
    (free text).
    """

    end_to_end_id: str
    amount: Decimal
    creditor_name: str
    creditor_iban: str
    creditor_bic: str = ""
    structured_reference: str = ""
    remittance: str = ""
    currency: str = CURRENCY


def credit_transfer_file(
    *,
    message_id: str,
    created_at: datetime.datetime,
    debtor: SepaDebtor,
    execution_date: datetime.date,
    transfers: Sequence[SepaTransfer],
    batch_booking: bool = True,
) -> bytes:
    """The pain.001.001.03 document paying `transfers` from `debtor` on `execution_date`, UTF-8 encoded.

    Raises InvalidInput, naming the transfer and its field, when a transfer cannot be paid as given.
    """
    msg_id = sepa_text(message_id, ID_LENGTH)
    if not msg_id:
        raise InvalidInput(_("Give the payment file an identifier."), code="missing_id", field="message_id")
    if not transfers:
        raise InvalidInput(_("Add at least one transfer to the payment file."), code="no_transfers", field="transfers")
    debtor_name = sepa_text(debtor.name, NAME_LENGTH)
    if not debtor_name:
        raise InvalidInput(_("Give the name of the paying account's holder."), code="missing_name", field="debtor.name")
    for field, problem in (("iban", _iban_problem(debtor.iban)), ("bic", _bic_problem(debtor.bic))):
        if problem:
            code, message = problem
            raise InvalidInput(_("The paying account: %(message)s") % {"message": message}, code=code, field=f"debtor.{field}")
    for index, transfer in enumerate(transfers):
        _check(index, transfer)
    total = sum((t.amount for t in transfers), Decimal(0))

    root = ET.Element("Document", xmlns=NAMESPACE)  # unqualified names below are in this default namespace
    initiation = _sub(root, "CstmrCdtTrfInitn")
    header = _sub(initiation, "GrpHdr")
    _sub(header, "MsgId", msg_id)
    _sub(header, "CreDtTm", created_at.isoformat(timespec="seconds"))
    _sub(header, "NbOfTxs", str(len(transfers)))
    _sub(header, "CtrlSum", _amount(total))
    _sub(_sub(header, "InitgPty"), "Nm", debtor_name)

    payment = _sub(initiation, "PmtInf")
    _sub(payment, "PmtInfId", msg_id)
    _sub(payment, "PmtMtd", "TRF")
    _sub(payment, "BtchBookg", "true" if batch_booking else "false")
    _sub(payment, "NbOfTxs", str(len(transfers)))
    _sub(payment, "CtrlSum", _amount(total))
    _sub(_sub(_sub(payment, "PmtTpInf"), "SvcLvl"), "Cd", "SEPA")
    _sub(payment, "ReqdExctnDt", execution_date.isoformat())
    _sub(_sub(payment, "Dbtr"), "Nm", debtor_name)
    _sub(_sub(_sub(payment, "DbtrAcct"), "Id"), "IBAN", IBAN(debtor.iban).compact)
    institution = _sub(_sub(payment, "DbtrAgt"), "FinInstnId")
    if debtor.bic.strip():
        _sub(institution, "BIC", BIC(debtor.bic).compact)
    else:
        _sub(_sub(institution, "Othr"), "Id", "NOTPROVIDED")
    _sub(payment, "ChrgBr", "SLEV")
    for transfer in transfers:
        _add_transfer(payment, transfer)

    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False)


def transfer_communication(communication: str) -> dict[str, str]:
    """The SepaTransfer fields for a communication: a Belgian structured one (+++…+++) as
    `structured_reference`, anything else as free `remittance`."""
    digits = "".join(ch for ch in communication if ch.isdigit())
    if communication.startswith("+++") and ogm_vcs.is_valid(digits):
        return {"structured_reference": communication, "remittance": ""}
    return {"structured_reference": "", "remittance": communication}


def sepa_text(value: str, length: int) -> str:
    """`value` in the SEPA Latin character set, accents removed, other characters as spaces, cut to `length`."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", value.translate(LETTERS)) if not unicodedata.combining(c))
    return " ".join(NOT_SEPA.sub(" ", plain).split())[:length].rstrip()


def _check(index: int, transfer: SepaTransfer) -> None:
    """Raise InvalidInput for the first thing wrong with the transfer at `index`."""

    def invalid(field: str, code: str, message: str) -> InvalidInput:
        return InvalidInput(
            _("Transfer %(number)s (%(id)s): %(message)s")
            % {"number": index + 1, "id": transfer.end_to_end_id.strip() or "?", "message": message},
            code=code,
            field=f"transfers.{index}.{field}",
        )

    if not sepa_text(transfer.end_to_end_id, ID_LENGTH):
        raise invalid("end_to_end_id", "missing_id", _("give the transfer an identifier."))
    if transfer.currency != CURRENCY:
        raise invalid(
            "currency", "not_euro", _("a SEPA transfer is in euros, not in %(currency)s.") % {"currency": transfer.currency}
        )
    amount = transfer.amount
    if not (amount.is_finite() and amount > 0):
        raise invalid("amount", "invalid_amount", _("the amount must be more than zero."))
    if amount > MAX_AMOUNT:
        raise invalid(
            "amount", "amount_too_large", _("a SEPA transfer is at most %(maximum)s EUR.") % {"maximum": _number(MAX_AMOUNT)}
        )
    if amount != amount.quantize(CENT):
        raise invalid(
            "amount", "too_many_decimals", _("the amount %(amount)s has more than 2 decimals.") % {"amount": _number(amount)}
        )
    if not sepa_text(transfer.creditor_name, NAME_LENGTH):
        raise invalid("creditor_name", "missing_name", _("give the name of the beneficiary, in Latin letters."))
    for field, problem in (
        ("creditor_iban", _iban_problem(transfer.creditor_iban)),
        ("creditor_bic", _bic_problem(transfer.creditor_bic)),
    ):
        if problem:
            raise invalid(field, *problem)
    if transfer.structured_reference:
        try:
            ogm_vcs.validate(transfer.structured_reference)
        except ValidationError:
            raise invalid(
                "structured_reference",
                "invalid_structured_reference",
                _("%(reference)s is not a valid structured communication (+++123/4567/89002+++).")
                % {"reference": transfer.structured_reference},
            ) from None
        if transfer.remittance.strip():
            raise invalid("remittance", "two_communications", _("give either a structured or a free communication, not both."))


def _iban_problem(value: str) -> tuple[str, str] | None:
    """The error code and message if `value` is not a valid IBAN of the SEPA zone."""
    try:
        iban = IBAN(value)
    except SchwiftyException:
        return "invalid_iban", _("%(iban)s is not a valid IBAN.") % {"iban": value}
    if not iban.in_sepa_zone:
        return "iban_outside_sepa", _("%(iban)s is an account outside the SEPA zone.") % {"iban": iban.formatted}
    return None


def _bic_problem(value: str) -> tuple[str, str] | None:
    """The error code and message if `value` is given and is not a valid BIC."""
    if not value.strip():
        return None
    try:
        bic = BIC(value).compact
    except SchwiftyException:
        bic = ""
    if not BIC_PATTERN.fullmatch(bic):
        return "invalid_bic", _("%(bic)s is not a valid BIC.") % {"bic": value}
    return None


def _add_transfer(payment: ET.Element, transfer: SepaTransfer) -> None:
    """The CdtTrfTxInf of a checked transfer."""
    info = _sub(payment, "CdtTrfTxInf")
    _sub(_sub(info, "PmtId"), "EndToEndId", sepa_text(transfer.end_to_end_id, ID_LENGTH))
    _sub(_sub(info, "Amt"), "InstdAmt", _amount(transfer.amount), Ccy=CURRENCY)
    if transfer.creditor_bic.strip():
        _sub(_sub(_sub(info, "CdtrAgt"), "FinInstnId"), "BIC", BIC(transfer.creditor_bic).compact)
    _sub(_sub(info, "Cdtr"), "Nm", sepa_text(transfer.creditor_name, NAME_LENGTH))
    _sub(_sub(_sub(info, "CdtrAcct"), "Id"), "IBAN", IBAN(transfer.creditor_iban).compact)
    if transfer.structured_reference:
        reference = _sub(_sub(_sub(info, "RmtInf"), "Strd"), "CdtrRefInf")
        kind = _sub(reference, "Tp")
        _sub(_sub(kind, "CdOrPrtry"), "Cd", "SCOR")
        _sub(kind, "Issr", "BBA")
        _sub(reference, "Ref", ogm_vcs.compact(transfer.structured_reference))
    elif remittance := sepa_text(transfer.remittance, REMITTANCE_LENGTH):
        _sub(_sub(info, "RmtInf"), "Ustrd", remittance)


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _number(value: Decimal) -> str:
    """`value` as the user's locale writes it, for messages."""
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def _sub(parent: ET.Element, name: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, name, attributes)
    element.text = text
    return element
