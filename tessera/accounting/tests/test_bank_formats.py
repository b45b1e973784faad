"""The bank statement parsers on every sample file of shared/data/bank-statements, and on made-up files."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest

from tessera.accounting.bank_formats import CsvMapping, StatementFormatError, camt, coda, parse_statement_file

SAMPLES = Path(__file__).resolve().parents[4] / "shared" / "data" / "bank-statements"
needs_samples = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"the sample bank statements are not at {SAMPLES} (shared/ is expected beside the repository)"
)

CODA_MULTI = "Coda_iban_v2_3_multi_statements.txt"
CODA_SINGLE = "Coda_iban_v2_3_single_statement.txt"
CODA_KBC = "Ontvangen_CODA.2012-01-11-18.59.15.txt"
CAMT_MULTI = "camt053.001.02_genkgo-multi-statement.xml"
CAMT_PARTIES = "camt053.001.02_genkgo-with-party-ids.xml"
CAMT_OCA = "camt053.001.02_oca-test-camt053.xml"
CAMT_INVALID = "INVALID_camt053.001.02_genkgo-missing-Stmt.xml"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def cut_mid_record(content: bytes) -> tuple[bytes, int]:
    """The content cut 40 characters before the end of the line that ends after its middle, and that line's number."""
    cut = content.index(b"\n", len(content) // 2) - 40
    return content[:cut], content[:cut].count(b"\n") + 1


def error_of(content: bytes, **kwargs) -> str:
    with pytest.raises(StatementFormatError) as exc_info:
        parse_statement_file(content, **kwargs)
    return str(exc_info.value)


@needs_samples
def test_every_sample_file_is_covered():
    assert sorted(p.name for p in SAMPLES.iterdir()) == sorted(
        [CODA_MULTI, CODA_SINGLE, CODA_KBC, CAMT_MULTI, CAMT_PARTIES, CAMT_OCA, CAMT_INVALID]
    )


# --- CODA ----------------------------------------------------------------------------------------


@needs_samples
def test_coda_two_statements_in_one_file():
    first, second = parse_statement_file(sample(CODA_MULTI), CODA_MULTI)
    assert (first.format, first.account_iban, first.currency, first.identifier, first.date) == (
        "coda", "BE13001676096039", "EUR", "2014/036", d("2014-03-29"),
    )  # fmt: skip
    assert (first.opening_balance, first.closing_balance, len(first.lines)) == (Decimal("39698.09"), Decimal("39575.69"), 1)
    line = first.lines[0]
    assert (line.date, line.value_date, line.amount, line.currency) == (
        d("2014-03-29"),
        d("2014-03-29"),
        Decimal("-122.40"),
        "EUR",
    )
    assert (line.counterpart_name, line.counterpart_iban) == ("VZW SOCIAAL SECRET.SECUREX", "BE11290006307748")
    assert (line.communication, line.structured_reference) == ("PREVENTION ET PROTECTION", "")
    assert line.bank_reference == line.unique_id == "0001400000101"

    assert (second.identifier, second.date, second.account_iban) == ("2014/037", d("2014-03-31"), "BE13001676096039")
    assert (second.opening_balance, second.closing_balance, len(second.lines)) == (Decimal("39575.69"), Decimal("139575.69"), 1)
    # A movement of type 3 with a detail record (type 8) of the same amount: one line, not two.
    line = second.lines[0]
    assert (line.amount, line.counterpart_name, line.counterpart_iban) == (
        Decimal("100000.00"),
        "LINE MARKET SA",
        "NL34BKMG0261239759",
    )
    assert (line.communication, line.bank_reference) == ("", "000140000010290012618")


@needs_samples
def test_coda_single_statement_with_globalisations_and_old_account_numbers():
    (statement,) = parse_statement_file(sample(CODA_SINGLE), CODA_SINGLE)  # CRLF line ends
    assert (statement.account_iban, statement.identifier, statement.date) == ("BE86407051416150", "2009/042", d("2009-03-05"))
    assert (statement.opening_balance, statement.closing_balance) == (Decimal("0.00"), Decimal("0.00"))
    assert len(statement.lines) == 17  # movements 0001-0017; the details of the globalised 0016 and 0017 are not lines
    assert sum(line.amount for line in statement.lines) == 0
    assert sum(line.amount for line in statement.lines if line.amount > 0) == Decimal("64703.01")  # the record 9 credit total
    amex = statement.lines[9]
    assert (amex.amount, amex.counterpart_name, amex.counterpart_iban) == (Decimal("-62095.01"), "AMERICAN EXPRESS", "")
    assert amex.bank_reference == "SWJVZ0BOX DOMUCVDIU01"
    # Record 23 gives the old Belgian account number 310-1802034-54: converted to its IBAN. The communication
    # continues in record 22 in the middle of a word ("LOON" + "VERLIES").
    vivium = statement.lines[10]
    assert (vivium.amount, vivium.counterpart_name, vivium.counterpart_iban) == (Decimal("148.30"), "VIVIUM", "BE42310180203454")
    assert vivium.communication == "ONG. SG 20-4203595 LOONVERLIES HAMERLYNCK TONY"
    transfer = statement.lines[16]
    assert (transfer.amount, transfer.counterpart_iban) == (Decimal("-2608.00"), "BE38733040385372")
    assert transfer.communication == "OVERBOEKING NAAR CENTRALE REKENING"
    assert len({line.unique_id for line in statement.lines}) == 17


@needs_samples
def test_coda_kbc_sample_parses_but_does_not_add_up():
    (statement,) = coda.parse_coda(sample(CODA_KBC))
    assert (statement.account_iban, statement.identifier, statement.date) == ("BE46737018594236", "2012/135", d("2012-01-11"))
    assert (statement.opening_balance, statement.closing_balance, len(statement.lines)) == (
        Decimal("11812.70"), Decimal("13646.05"), 5,
    )  # fmt: skip
    assert [line.amount for line in statement.lines] == [
        Decimal("-435.00"), Decimal("3044.45"), Decimal("-479.04"), Decimal("-479.04"), Decimal("63.74"),
    ]  # fmt: skip
    structured = statement.lines[1]
    assert (structured.structured_reference, structured.communication) == ("240283842818", "")
    assert (structured.counterpart_name, structured.counterpart_iban) == ("PARTNER 2", "BE61310126985517")
    assert (structured.date, structured.value_date) == (d("2012-01-11"), d("2012-01-11"))
    assert statement.lines[2].communication == "KBC-INVESTERINGSKREDIET 737-6543210-21"
    # The record 9 totals match the movements, but 11812.70 + 1715.11 is not the closing balance 13646.05.
    assert error_of(sample(CODA_KBC)) == (
        "Statement 2012/135 does not add up: opening balance 11812.70 + transactions 1715.11 = 13527.81, "
        "but the closing balance is 13646.05. The file is truncated or corrupt."
    )


@needs_samples
@pytest.mark.parametrize("name", [CODA_MULTI, CODA_SINGLE, CODA_KBC])
def test_coda_cut_in_the_middle_of_a_record(name):
    content, line = cut_mid_record(sample(name))
    assert re.fullmatch(
        rf"Line {line}: the record has \d+ characters instead of 128: the file is truncated or damaged\.", error_of(content)
    )


@needs_samples
def test_coda_cut_between_records():
    content = sample(CODA_MULTI)
    assert error_of(content[: content.index(b"\n8037")]) == "The file is truncated: statement 037 has no new balance record (8)."
    assert error_of(content[: content.rindex(b"\n9")]) == "The file is truncated: the trailer record (9) is missing."


@needs_samples
def test_coda_trailer_totals_are_checked():
    content = sample(CODA_MULTI).replace(b"9               000007000000000122400", b"9               000007000000000122300")
    message = error_of(content)
    assert message.startswith("Line 9: the trailer record counts 7 records, 122.30 debit and 0.00 credit, but the file holds")


@needs_samples
def test_coda_old_style_belgian_account_number():
    lines = sample(CODA_MULTI).decode().split("\n")
    old = lines[1]
    lines[1] = old[:1] + "0" + old[2:5] + "001676096039 EUR0BE" + " " * 18 + old[42:]
    assert len(lines[1]) == 128
    first, _second = parse_statement_file("\n".join(lines).encode())
    assert (first.account_iban, first.currency, first.opening_balance) == ("BE13001676096039", "EUR", Decimal("39698.09"))


def test_coda_version_1_is_refused():
    header = "0000029031420005" + " " * 111 + "1"
    assert error_of(header.encode()) == "Line 1: this is CODA version 1; ask the bank for CODA 2."


# --- CAMT.053 ------------------------------------------------------------------------------------


@needs_samples
def test_camt_two_statements():
    first, second = parse_statement_file(sample(CAMT_MULTI), CAMT_MULTI)
    assert (first.format, first.account_iban, first.currency, first.identifier, first.date) == (
        "camt.053", "NL26VAYB8060476890", "EUR", "253EURNL26VAYB8060476890", d("2014-12-31"),
    )  # fmt: skip
    assert (first.opening_balance, first.closing_balance, len(first.lines)) == (Decimal("18.15"), Decimal("27.00"), 1)
    line = first.lines[0]
    assert (line.date, line.value_date, line.amount, line.communication) == (
        d("2014-12-31"), d("2015-01-02"), Decimal("8.85"), "Transaction Description 1",
    )  # fmt: skip
    # A credit whose details name only the creditor (the account holder): no counterpart.
    assert (line.counterpart_name, line.counterpart_iban, line.bank_reference) == ("", "", "")
    assert re.fullmatch(r"[0-9a-f]{40}", line.unique_id)

    assert (second.identifier, second.opening_balance, second.closing_balance, len(second.lines)) == (
        "254EURNL26VAYB8060476890", Decimal("27.00"), Decimal("20.00"), 1,
    )  # fmt: skip
    line = second.lines[0]
    assert (line.amount, line.counterpart_name, line.counterpart_iban) == (
        Decimal("-7.00"),
        "Company Name 2",
        "NL56AGDH9619008421",
    )
    assert line.communication == "Transaction Description 2"
    again = parse_statement_file(sample(CAMT_MULTI))
    assert [s.lines[0].unique_id for s in again] == [first.lines[0].unique_id, line.unique_id]
    assert first.lines[0].unique_id != line.unique_id


@needs_samples
def test_camt_party_ids_sample_parses_but_its_closing_balance_is_a_debit_in_sek():
    (statement,) = camt.parse_camt(sample(CAMT_PARTIES))
    assert (statement.identifier, statement.account_iban, statement.currency) == (
        "253EURNL26VAYB8060476890", "NL26VAYB8060476890", "EUR",
    )  # fmt: skip
    assert (statement.opening_balance, statement.closing_balance, len(statement.lines)) == (
        Decimal("18.15"),
        Decimal("-27.00"),
        1,
    )
    line = statement.lines[0]
    assert (line.amount, line.counterpart_name, line.counterpart_iban) == (Decimal("8.85"), "NAME NAME", "NL56AGDH9619008421")
    assert (line.structured_reference, line.communication) == ("4654654654654654", "")
    assert error_of(sample(CAMT_PARTIES)) == (
        "Statement 253EURNL26VAYB8060476890 does not add up: opening balance 18.15 + transactions 8.85 = 27.00, "
        "but the closing balance is -27.00. The file is truncated or corrupt."
    )


@needs_samples
def test_camt_oca_sample_splits_a_batch_but_does_not_add_up():
    (statement,) = camt.parse_camt(sample(CAMT_OCA))
    assert (statement.identifier, statement.account_iban, statement.currency, statement.date) == (
        "1234Test/1", "NL77ABNA0574908765", "EUR", d("2014-01-05"),
    )  # fmt: skip
    assert (statement.opening_balance, statement.closing_balance) == (Decimal("15568.27"), Decimal("15121.12"))
    assert [line.amount for line in statement.lines] == [
        Decimal("-754.25"),
        Decimal("-564.05"),
        Decimal("-100.00"),
        Decimal("1405.31"),
    ]
    insurance, first, second, media = statement.lines
    assert (insurance.counterpart_name, insurance.counterpart_iban) == ("INSURANCE COMPANY TESTX", "NL46ABNA0499998748")
    assert insurance.communication == "Insurance policy 857239PERIOD 01.01.2014 - 31.12.2014"
    assert (first.counterpart_name, second.counterpart_name, first.communication) == (
        "Test Customer", "Test Customer", "Direct Debit S14 0410",
    )  # fmt: skip
    assert first.unique_id != second.unique_id
    assert (media.counterpart_name, media.counterpart_iban) == ("3rd party Media", "NL69ABNA0522123643")
    assert media.communication == "#RD PARTY MEDIA CUSNO 90782 4210773"  # no RmtInf: the additional information
    assert error_of(sample(CAMT_OCA)) == (
        "Statement 1234Test/1 does not add up: opening balance 15568.27 + transactions -12.99 = 15555.28, "
        "but the closing balance is 15121.12. The file is truncated or corrupt."
    )


@needs_samples
def test_camt_without_statement_is_refused():
    assert error_of(sample(CAMT_INVALID)) == "The CAMT.053 file holds no statement (no Stmt element): it is incomplete."


@needs_samples
@pytest.mark.parametrize("name", [CAMT_MULTI, CAMT_PARTIES, CAMT_OCA])
def test_camt_cut_in_the_middle(name):
    content = sample(name)
    assert error_of(content[: len(content) // 2]).startswith("The XML file is truncated or damaged: ")


@needs_samples
def test_camt_missing_entry_does_not_add_up():
    content = sample(CAMT_MULTI)
    start = content.rindex(b"<Ntry>")
    content = content[:start] + content[content.rindex(b"</Ntry>") + len(b"</Ntry>") :]
    assert error_of(content) == (
        "Statement 254EURNL26VAYB8060476890 does not add up: opening balance 27.00 + transactions 0 = 27.00, "
        "but the closing balance is 20.00. The file is truncated or corrupt."
    )


CAMT_08 = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>M1</MsgId><CreDtTm>2024-03-01T08:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-2024-02</Id>
      <ElctrncSeqNb>42</ElctrncSeqNb>
      <Acct><Id><IBAN>be68539007547034</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Bal><Tp><CdOrPrtry><Cd>PRCD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">50.00</Amt><CdtDbtInd>DBIT</CdtDbtInd>
        <Dt><Dt>2024-01-31</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1414.50</Amt><CdtDbtInd>CRDT</CdtDbtInd>
        <Dt><Dt>2024-02-29</Dt></Dt></Bal>
      <Ntry>
        <Amt Ccy="EUR">1500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><DtTm>2024-02-29T10:00:00+01:00</DtTm></BookgDt><ValDt><Dt>2024-03-01</Dt></ValDt>
        <AcctSvcrRef>BANKREF-1</AcctSvcrRef>
        <NtryDtls>
          <TxDtls>
            <Amt Ccy="EUR">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
            <RltdPties><Dbtr><Pty><Nm>Klant  A BV</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>BE71096123456769</IBAN></Id></DbtrAcct>
              <Cdtr><Pty><Nm>Ourselves NV</Nm></Pty></Cdtr></RltdPties>
            <RmtInf><Strd><CdtrRefInf><Ref>+++090/9337/55493+++</Ref></CdtrRefInf></Strd></RmtInf>
          </TxDtls>
          <TxDtls>
            <Amt Ccy="EUR">500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
            <RltdPties><Dbtr><Pty><Nm>Klant B</Nm></Pty></Dbtr></RltdPties>
            <RmtInf><Strd><CdtrRefInf><Ref>RF18 5390 0754 7034</Ref></CdtrRefInf></Strd></RmtInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">25.50</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2024-02-15</Dt></BookgDt>
        <NtryDtls><TxDtls>
          <Refs><AcctSvcrRef>TX-2</AcctSvcrRef></Refs>
          <RltdPties><Cdtr><Pty><Nm>Proximus</Nm></Pty></Cdtr>
            <CdtrAcct><Id><IBAN>BE 8200 0000 0000 28</IBAN></Id></CdtrAcct></RltdPties>
          <RmtInf><Ustrd>Invoice</Ustrd><Ustrd>  123 </Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">99.99</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>PDNG</Cd></Sts><BookgDt><Dt>2024-02-29</Dt></BookgDt>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">10.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2024-02-20</Dt></BookgDt>
        <AddtlNtryInf>Bank fees</AddtlNtryInf>
        <NtryDtls><TxDtls><RltdPties><Cdtr><Pty><Nm>The Bank</Nm></Pty></Cdtr></RltdPties></TxDtls><TxDtls/></NtryDtls>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""


@pytest.mark.parametrize("xml", [CAMT_08, CAMT_08.replace(' xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"', "")])
def test_camt_later_version_with_or_without_namespace(xml):
    (statement,) = parse_statement_file(xml.encode(), "statement.xml")
    assert (statement.identifier, statement.account_iban, statement.date) == ("STMT-2024-02", "BE68539007547034", d("2024-02-29"))
    assert (statement.opening_balance, statement.closing_balance) == (Decimal("-50.00"), Decimal("1414.50"))
    a, b, proximus, fees = statement.lines  # the pending entry is not booked
    assert (a.amount, a.counterpart_name, a.counterpart_iban, a.structured_reference) == (
        Decimal("1000.00"), "Klant A BV", "BE71096123456769", "090933755493",
    )  # fmt: skip
    assert (a.date, a.value_date, a.bank_reference, a.unique_id) == (
        d("2024-02-29"),
        d("2024-03-01"),
        "BANKREF-1/1",
        "BANKREF-1/1",
    )
    assert (b.amount, b.counterpart_name, b.structured_reference, b.unique_id) == (
        Decimal("500.00"), "Klant B", "RF18539007547034", "BANKREF-1/2",
    )  # fmt: skip
    assert (proximus.amount, proximus.counterpart_name, proximus.counterpart_iban) == (
        Decimal("-25.50"),
        "Proximus",
        "BE82000000000028",
    )
    assert (proximus.communication, proximus.unique_id, proximus.value_date) == ("Invoice 123", "TX-2", None)
    # Details without amounts: one line for the entry.
    assert (fees.amount, fees.counterpart_name, fees.communication) == (Decimal("-10.00"), "The Bank", "Bank fees")
    assert re.fullmatch(r"[0-9a-f]{40}", fees.unique_id)


def test_camt_entry_without_credit_debit_indicator():
    xml = CAMT_08.replace('<Amt Ccy="EUR">25.50</Amt><CdtDbtInd>DBIT</CdtDbtInd>', '<Amt Ccy="EUR">25.50</Amt>')
    assert error_of(xml.encode()) == (
        "Statement STMT-2024-02, entry 2: the amount “25.50” with credit/debit indicator “” is not valid."
    )


def test_camt_without_closing_balance():
    xml = re.sub(r"<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd>.*?</Bal>", "", CAMT_08, flags=re.S)
    assert error_of(xml.encode()) == "Statement STMT-2024-02 has no closing balance (CLBD): the file is incomplete."


# --- refused content -----------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>&lol9;</MsgId></GrpHdr>
</BkToCstmrStmt></Document>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Document><BkToCstmrStmt><GrpHdr><MsgId>&xxe;</MsgId></GrpHdr></BkToCstmrStmt></Document>"""


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_xml_bombs_and_external_entities_are_refused(xml):
    assert error_of(xml) == "The XML file declares a DTD or entities, which bank statements never do: it was refused for safety."


@pytest.mark.parametrize(
    "content",
    [
        b"Dear customer, your statement is attached.\n",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n%%EOF",
        bytes(range(256)) * 4,
        b"PK\x03\x04\x14\x00\x06\x00statement.xml",
    ],
)
def test_other_content_is_refused(content):
    assert error_of(content, filename="statement.xml") == "This is not a CAMT.053 or CODA file."


def test_empty_file_and_other_xml_are_refused():
    assert error_of(b"  \n") == "The file is empty."
    pain = b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn/></Document>'
    assert (
        error_of(pain)
        == "This is not a CAMT.053 or CODA file: the XML holds “CstmrCdtTrfInitn”, not a bank statement (BkToCstmrStmt)."
    )


# --- CSV -----------------------------------------------------------------------------------------

MAPPING = CsvMapping(
    date="Datum", amount="Bedrag", communication="Mededeling", counterpart_name="Naam", counterpart_iban="Rekening",
    date_format="%d/%m/%Y", decimal_separator=",", delimiter=";", account_iban="BE68 5390 0754 7034",
    opening_balance=Decimal("100.00"),
)  # fmt: skip
CSV = (
    "\ufeffDatum;Bedrag;Naam;Rekening;Mededeling\n"
    "01/02/2024;1.234,56;Klant BV;be71 0961 2345 6769;Factuur 2024/001\n"
    "\n"
    '03/02/2024;-34,50;"Proximus; NV";;Telefoon  februari\n'
)


def test_csv_with_a_mapping():
    (statement,) = parse_statement_file(CSV.encode(), "export.csv", MAPPING)
    assert (statement.format, statement.account_iban, statement.currency, statement.identifier, statement.date) == (
        "csv", "BE68539007547034", "EUR", "2024-02-01/2024-02-03", d("2024-02-03"),
    )  # fmt: skip
    assert (statement.opening_balance, statement.closing_balance) == (Decimal("100.00"), Decimal("1300.06"))
    first, second = statement.lines
    assert (first.date, first.amount, first.counterpart_name, first.counterpart_iban, first.communication) == (
        d("2024-02-01"), Decimal("1234.56"), "Klant BV", "BE71096123456769", "Factuur 2024/001",
    )  # fmt: skip
    assert (second.amount, second.counterpart_name, second.communication) == (
        Decimal("-34.50"),
        "Proximus; NV",
        "Telefoon februari",
    )
    assert first.unique_id != second.unique_id
    assert [line.unique_id for line in parse_statement_file(CSV.encode(), "", MAPPING)[0].lines] == [
        first.unique_id,
        second.unique_id,
    ]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("31/02/2024;5,00;a;;b", "Row 5, column “Datum”: “31/02/2024” is not a date in the format %d/%m/%Y."),
        ("2024-02-05;5,00;a;;b", "Row 5, column “Datum”: “2024-02-05” is not a date in the format %d/%m/%Y."),
        ("05/02/2024;12x;a;;b", "Row 5, column “Bedrag”: “12x” is not an amount."),
        ("05/02/2024;;a;;b", "Row 5, column “Bedrag”: “” is not an amount."),
    ],
)
def test_csv_bad_row(row, message):
    assert error_of((CSV + row + "\n").encode(), csv_mapping=MAPPING) == message


def test_csv_missing_columns_and_mapping():
    assert error_of(b"Date;Amount\n01/02/2024;5\n", csv_mapping=MAPPING) == (
        "The header row has no column “Datum”, “Bedrag”, “Mededeling”, “Naam”, “Rekening” (it has: Date, Amount)."
    )
    assert error_of(b"Datum;Bedrag;Naam;Rekening;Mededeling\n", csv_mapping=MAPPING) == "The CSV file has no transaction rows."
    assert error_of(CSV.encode(), filename="export.csv") == (
        "A CSV file needs a column mapping: say which columns hold the date and the amount."
    )
