"""The SEPA credit transfer file (pain.001.001.03): its content, its validity against the official XSD, and refused input."""

import dataclasses
import datetime
import io
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
import xmlschema

from tessera.accounting.sepa import SepaDebtor, SepaTransfer, credit_transfer_file, sepa_text
from tessera.core.errors import InvalidInput

XSD = Path(__file__).resolve().parents[4] / "shared" / "data" / "xsd" / "iso20022" / "pain.001.001.03.xsd"
needs_xsd = pytest.mark.skipif(
    not XSD.is_file(), reason=f"the pain.001.001.03 XSD is not at {XSD} (shared/ is expected beside the repository)"
)
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}

DEBTOR = SepaDebtor(name="Boekhouding NV", iban="BE68 5390 0754 7034", bic="GEBABEBB")
STRUCTURED = SepaTransfer(
    end_to_end_id="BILL-2026-0001",
    amount=Decimal("1000.00"),
    creditor_name="Acme Supplies BV",
    creditor_iban="NL91ABNA0417164300",
    creditor_bic="ABNANL2A",
    structured_reference="+++123/4567/89002+++",
)
FREE_TEXT = SepaTransfer(
    end_to_end_id="BILL-2026-0002",
    amount=Decimal("200.5"),
    creditor_name="Papier & Co GmbH",
    creditor_iban="DE89 3704 0044 0532 0130 00",
    remittance="Invoice 4711 – March",
)
ACCENTED = SepaTransfer(
    end_to_end_id="BILL-2026-0003",
    amount=Decimal("34.07"),
    creditor_name="Crème Brûlée Straße & Søn",
    creditor_iban="FR1420041010050500013M02606",
)


def build(transfers=(STRUCTURED, FREE_TEXT, ACCENTED), **kwargs) -> bytes:
    arguments = {
        "message_id": "PAY-2026-03-15-001",
        "created_at": datetime.datetime(2026, 3, 15, 9, 30, 5, 123456, tzinfo=datetime.UTC),
        "debtor": DEBTOR,
        "execution_date": datetime.date(2026, 3, 16),
        "transfers": list(transfers),
    }
    return credit_transfer_file(**{**arguments, **kwargs})


def text(root: ET.Element, path: str) -> str | None:
    element = root.find(path, NS)
    return None if element is None else element.text


def tampered(content: bytes, old: bytes, new: bytes) -> bytes:
    assert content.count(old) >= 1
    return content.replace(old, new)


@pytest.fixture(scope="module")
def schema():
    if not XSD.is_file():
        pytest.skip(f"the pain.001.001.03 XSD is not at {XSD} (shared/ is expected beside the repository)")
    return xmlschema.XMLSchema(XSD)


def errors(schema, content: bytes) -> list[str]:
    return [error.reason or str(error) for error in schema.iter_errors(io.BytesIO(content))]


# --- the file -------------------------------------------------------------------------------------


@needs_xsd
def test_three_transfers_make_a_valid_file(schema):
    content = build()
    assert errors(schema, content) == []
    assert content.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03">'
    )


def test_group_header_and_payment_information():
    root = ET.fromstring(build())
    header = "p:CstmrCdtTrfInitn/p:GrpHdr/"
    assert [text(root, header + tag) for tag in ("p:MsgId", "p:CreDtTm", "p:NbOfTxs", "p:CtrlSum", "p:InitgPty/p:Nm")] == [
        "PAY-2026-03-15-001", "2026-03-15T09:30:05+00:00", "3", "1234.57", "Boekhouding NV",
    ]  # fmt: skip
    payment = "p:CstmrCdtTrfInitn/p:PmtInf/"
    tags = (
        "p:PmtInfId", "p:PmtMtd", "p:BtchBookg", "p:NbOfTxs", "p:CtrlSum", "p:PmtTpInf/p:SvcLvl/p:Cd", "p:ReqdExctnDt",
        "p:Dbtr/p:Nm", "p:DbtrAcct/p:Id/p:IBAN", "p:DbtrAgt/p:FinInstnId/p:BIC", "p:ChrgBr",
    )  # fmt: skip
    assert [text(root, payment + tag) for tag in tags] == [
        "PAY-2026-03-15-001", "TRF", "true", "3", "1234.57", "SEPA", "2026-03-16",
        "Boekhouding NV", "BE68539007547034", "GEBABEBB", "SLEV",
    ]  # fmt: skip
    assert len(root.findall("p:CstmrCdtTrfInitn/p:PmtInf", NS)) == 1


def test_each_transfer():
    transactions = ET.fromstring(build()).findall("p:CstmrCdtTrfInitn/p:PmtInf/p:CdtTrfTxInf", NS)
    assert [
        (
            text(t, "p:PmtId/p:EndToEndId"),
            text(t, "p:Amt/p:InstdAmt"),
            t.find("p:Amt/p:InstdAmt", NS).get("Ccy"),
            text(t, "p:CdtrAgt/p:FinInstnId/p:BIC"),
            text(t, "p:Cdtr/p:Nm"),
            text(t, "p:CdtrAcct/p:Id/p:IBAN"),
            text(t, "p:RmtInf/p:Ustrd"),
        )
        for t in transactions
    ] == [
        ("BILL-2026-0001", "1000.00", "EUR", "ABNANL2A", "Acme Supplies BV", "NL91ABNA0417164300", None),
        ("BILL-2026-0002", "200.50", "EUR", None, "Papier Co GmbH", "DE89370400440532013000", "Invoice 4711 March"),
        ("BILL-2026-0003", "34.07", "EUR", None, "Creme Brulee Strasse Son", "FR1420041010050500013M02606", None),
    ]
    structured, free_text, accented = transactions
    reference = "p:RmtInf/p:Strd/p:CdtrRefInf/"
    assert [text(structured, reference + tag) for tag in ("p:Tp/p:CdOrPrtry/p:Cd", "p:Tp/p:Issr", "p:Ref")] == [
        "SCOR", "BBA", "123456789002",
    ]  # fmt: skip
    assert free_text.find("p:RmtInf/p:Strd", NS) is None
    assert accented.find("p:RmtInf", NS) is None
    assert structured.find("p:CdtrAgt", NS) is not None and free_text.find("p:CdtrAgt", NS) is None


@needs_xsd
def test_no_debtor_bic_and_no_batch_booking(schema):
    content = build(debtor=dataclasses.replace(DEBTOR, bic=""), batch_booking=False)
    assert errors(schema, content) == []
    root = ET.fromstring(content)
    payment = "p:CstmrCdtTrfInitn/p:PmtInf/"
    assert text(root, payment + "p:DbtrAgt/p:FinInstnId/p:Othr/p:Id") == "NOTPROVIDED"
    assert root.find(payment + "p:DbtrAgt/p:FinInstnId/p:BIC", NS) is None
    assert text(root, payment + "p:BtchBookg") == "false"


@needs_xsd
def test_long_texts_are_cut_to_the_schema_lengths(schema):
    transfer = dataclasses.replace(
        FREE_TEXT, end_to_end_id="E" * 40, creditor_name="Ñ" * 80, remittance="0123456789 " * 20, amount=Decimal("7.100")
    )
    content = build([transfer], message_id="M" * 50)
    assert errors(schema, content) == []
    root = ET.fromstring(content)
    info = "p:CstmrCdtTrfInitn/p:PmtInf/p:CdtTrfTxInf/"
    assert text(root, "p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId") == "M" * 35
    assert text(root, info + "p:PmtId/p:EndToEndId") == "E" * 35
    assert text(root, info + "p:Cdtr/p:Nm") == "N" * 70
    assert text(root, info + "p:RmtInf/p:Ustrd") == ("0123456789 " * 13)[:140].rstrip()
    assert text(root, info + "p:Amt/p:InstdAmt") == "7.10"
    assert text(root, "p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum") == "7.10"


def test_a_structured_communication_given_as_its_12_digits():
    root = ET.fromstring(build([dataclasses.replace(STRUCTURED, structured_reference="010806817183")]))
    assert text(root, "p:CstmrCdtTrfInitn/p:PmtInf/p:CdtTrfTxInf/p:RmtInf/p:Strd/p:CdtrRefInf/p:Ref") == "010806817183"


@needs_xsd
def test_the_schema_refuses_a_tampered_file(schema):
    """The XSD check is not a formality: it catches a negative amount or a badly written control sum."""
    content = build()
    assert errors(schema, tampered(content, b">1000.00<", b">-1000.00<"))
    assert errors(schema, tampered(content, b"<CtrlSum>1234.57</CtrlSum>", b"<CtrlSum>1,234.57</CtrlSum>"))
    assert errors(schema, tampered(content, b"<Cd>SEPA</Cd>", b"<Cd>SEPA</Cd><Cd>SEPA</Cd>"))


@pytest.mark.parametrize(
    ("value", "length", "expected"),
    [
        ("Société Générale d'Électricité", 70, "Societe Generale d'Electricite"),
        ("Groß & Ærø Œuvre Łódź", 70, "Gross AEro OEuvre Lodz"),
        ("  a_b*c   d/e-f?g:h(i).j,k'l+m  ", 70, "a b c d/e-f?g:h(i).j,k'l+m"),
        ("北京 Trading", 70, "Trading"),
        ("abc defgh", 4, "abc"),
    ],
)
def test_sepa_text(value, length, expected):
    assert sepa_text(value, length) == expected


# --- refused input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"end_to_end_id": "  "}, "transfers.1.end_to_end_id", "missing_id"),
        ({"currency": "USD"}, "transfers.1.currency", "not_euro"),
        ({"amount": Decimal("0.00")}, "transfers.1.amount", "invalid_amount"),
        ({"amount": Decimal("-12.00")}, "transfers.1.amount", "invalid_amount"),
        ({"amount": Decimal("NaN")}, "transfers.1.amount", "invalid_amount"),
        ({"amount": Decimal("12.345")}, "transfers.1.amount", "too_many_decimals"),
        ({"amount": Decimal("1000000000.00")}, "transfers.1.amount", "amount_too_large"),
        ({"creditor_name": ""}, "transfers.1.creditor_name", "missing_name"),
        ({"creditor_name": "北京"}, "transfers.1.creditor_name", "missing_name"),
        ({"creditor_iban": "DE89370400440532013001"}, "transfers.1.creditor_iban", "invalid_iban"),
        ({"creditor_iban": "TR330006100519786457841326"}, "transfers.1.creditor_iban", "iban_outside_sepa"),
        ({"creditor_bic": "GEBABE0B"}, "transfers.1.creditor_bic", "invalid_bic"),
        ({"creditor_bic": "GEBA"}, "transfers.1.creditor_bic", "invalid_bic"),
        ({"structured_reference": "+++123/4567/89003+++"}, "transfers.1.structured_reference", "invalid_structured_reference"),
        ({"structured_reference": "12345"}, "transfers.1.structured_reference", "invalid_structured_reference"),
        ({"structured_reference": "123456789002"}, "transfers.1.remittance", "two_communications"),
    ],
)
def test_a_wrong_transfer_is_refused(changes, field, code):
    with pytest.raises(InvalidInput) as exc_info:
        build([STRUCTURED, dataclasses.replace(FREE_TEXT, **changes), ACCENTED])
    assert (exc_info.value.field, exc_info.value.code) == (field, code)
    assert exc_info.value.message.startswith("Transfer 2 (")


def test_the_messages_name_the_transfer_and_the_problem():
    def message(**changes):
        with pytest.raises(InvalidInput) as exc_info:
            build([STRUCTURED, dataclasses.replace(FREE_TEXT, **changes)])
        return exc_info.value.message

    assert message(amount=Decimal("12.345")) == "Transfer 2 (BILL-2026-0002): the amount 12.345 has more than 2 decimals."
    assert message(amount=Decimal("1000000000")) == "Transfer 2 (BILL-2026-0002): a SEPA transfer is at most 999,999,999.99 EUR."
    assert message(creditor_iban="DE00 1234") == "Transfer 2 (BILL-2026-0002): DE00 1234 is not a valid IBAN."
    assert message(structured_reference="+++123/4567/89003+++") == (
        "Transfer 2 (BILL-2026-0002): +++123/4567/89003+++ is not a valid structured communication (+++123/4567/89002+++)."
    )


@pytest.mark.parametrize(
    ("arguments", "field", "code"),
    [
        ({"transfers": []}, "transfers", "no_transfers"),
        ({"message_id": "***"}, "message_id", "missing_id"),
        ({"debtor": SepaDebtor(name="", iban="BE68539007547034")}, "debtor.name", "missing_name"),
        ({"debtor": SepaDebtor(name="Boekhouding NV", iban="BE68539007547035")}, "debtor.iban", "invalid_iban"),
        ({"debtor": SepaDebtor(name="Boekhouding NV", iban="BE68539007547034", bic="GEBA BE")}, "debtor.bic", "invalid_bic"),
    ],
)
def test_a_wrong_file_is_refused(arguments, field, code):
    with pytest.raises(InvalidInput) as exc_info:
        build(**arguments)
    assert (exc_info.value.field, exc_info.value.code) == (field, code)
