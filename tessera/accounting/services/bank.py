"""Bank statements: import from the bank's files (each transaction once), matching the transactions
with open invoices, and reconciling them as payments or as entries on an account (bank fees)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from tessera.core.errors import BusinessError, InvalidInput
from tessera.core.models import PartnerBankAccount, User
from tessera.core.services import record_save, require_company, require_permission
from tessera.core.transactions import operation
from tessera.core.workflow import apply_transition

from ..bank_formats import CsvMapping, ParsedStatement, StatementFormatError, parse_statement_file
from ..models import (
    Account,
    BankStatement,
    BankStatementLine,
    Invoice,
    Journal,
    JournalEntry,
    JournalLine,
    StatementLineState,
)
from ..states import InvoiceState
from .ledger import journal_entry_record
from .reconciliation import payment_register

LINE_TRANSITIONS = {StatementLineState.OPEN: frozenset({StatementLineState.RECONCILED})}


@dataclass
class ImportResult:
    statements: list[BankStatement] = field(default_factory=list)
    lines: int = 0
    duplicates: int = 0  # transactions already imported, skipped


def bank_statement_import(
    journal: Journal, content: bytes, *, filename: str = "", by: User, csv_mapping: CsvMapping | None = None
) -> ImportResult:
    """Import a CAMT.053, CODA or (with a column mapping) CSV file into a bank journal. Transactions
    already imported are skipped, so importing the same file twice adds nothing."""
    require_permission(by, BankStatement, "add")
    require_company(by, journal)
    if journal.type != "bank":
        raise InvalidInput(_("Import statements into a bank journal."), field="journal")
    try:
        parsed = parse_statement_file(content, filename, csv_mapping)
    except StatementFormatError as exc:
        raise InvalidInput(str(exc), code="bad_statement_file", field="file") from None
    result = ImportResult()
    with operation():
        for statement in parsed:
            _import_statement(journal, statement, filename, by, result)
    return result


def _import_statement(journal: Journal, parsed: ParsedStatement, filename: str, by: User, result: ImportResult) -> None:
    if journal.bank_iban and parsed.account_iban and parsed.account_iban != journal.bank_iban:
        raise InvalidInput(
            _("This statement is of account %(statement)s; journal %(journal)s is for %(iban)s.")
            % {"statement": parsed.account_iban, "journal": journal.code, "iban": journal.bank_iban},
            code="wrong_account",
            field="file",
        )
    known = set(BankStatementLine.objects.filter(journal=journal, unique_id__in=[line.unique_id for line in parsed.lines])
                .values_list("unique_id", flat=True))  # fmt: skip
    new_lines = [line for line in parsed.lines if line.unique_id not in known and line.amount]
    result.duplicates += len(parsed.lines) - len(new_lines)
    if not new_lines:
        return
    statement = BankStatement.objects.filter(company=journal.company, journal=journal, identifier=parsed.identifier).first()
    if statement is None:
        statement = record_save(
            BankStatement(
                company=journal.company, journal=journal, identifier=parsed.identifier, date=parsed.date,
                opening_balance=parsed.opening_balance, closing_balance=parsed.closing_balance, source_format=parsed.format,
                filename=filename[:200],
            ),
            by=by,
        )  # fmt: skip
        result.statements.append(statement)
    partners = _partners_by_iban(journal, [line.counterpart_iban for line in new_lines])
    BankStatementLine.objects.bulk_create(
        BankStatementLine(
            company=journal.company, statement=statement, journal=journal, position=position, date=line.date,
            value_date=line.value_date, amount=line.amount, counterpart_name=line.counterpart_name[:200],
            counterpart_iban=line.counterpart_iban, communication=line.communication[:500],
            structured_reference=line.structured_reference, bank_reference=line.bank_reference[:100], unique_id=line.unique_id,
            partner=partners.get(line.counterpart_iban),
        )
        for position, line in enumerate(new_lines)
    )  # fmt: skip
    result.lines += len(new_lines)


def _partners_by_iban(journal: Journal, ibans: Sequence[str]) -> dict:
    accounts = PartnerBankAccount.objects.filter(company=journal.company, iban__in=[iban for iban in ibans if iban])
    return {account.iban: account.partner.parent or account.partner for account in accounts.select_related("partner__parent")}


# --- matching ------------------------------------------------------------------------------------


def bank_line_proposals(line: BankStatementLine) -> list[Invoice]:
    """Open invoices the transaction probably pays, best first: by structured communication, else by
    partner and exact amount, else by exact amount alone when only one invoice has it."""
    return _proposals(line)[0]


def _proposals(line: BankStatementLine) -> tuple[list[Invoice], bool]:
    """The proposals, and whether they are certain enough to reconcile without a person: the
    structured communication or the partner's IBAN is; an amount alone is not."""
    incoming = line.amount > 0
    kinds = ("out_invoice",) if incoming else ("in_invoice",)
    open_invoices = Invoice.objects.filter(company=line.company, state=InvoiceState.POSTED, kind__in=kinds).exclude(
        payment_state__in=("paid", "reversed")
    )
    if line.structured_reference:
        by_reference = [
            i for i in open_invoices.exclude(payment_reference="") if _digits(i.payment_reference) == line.structured_reference
        ]
        if by_reference:
            return by_reference, True
    amount = abs(line.amount)
    if line.partner_id:
        by_partner = list(open_invoices.filter(partner=line.partner, amount_residual=amount).order_by("due_date", "id"))
        if by_partner:
            return by_partner, True
    by_amount = list(open_invoices.filter(amount_residual=amount)[:2])
    return (by_amount if len(by_amount) == 1 else []), False


def _digits(reference: str) -> str:
    return "".join(ch for ch in reference if ch.isdigit())


def bank_statement_auto_reconcile(statement: BankStatement, *, by: User) -> int:
    """Reconcile the open lines whose match is certain: one invoice of exactly the amount, found by
    its structured communication or its partner. Returns how many; the others wait for a person."""
    done = 0
    for line in statement.lines.filter(state=StatementLineState.OPEN).select_related("company", "journal"):
        proposals, certain = _proposals(line)
        if certain and len(proposals) == 1 and proposals[0].amount_residual == abs(line.amount):
            bank_line_reconcile(line, proposals, by=by)
            done += 1
    return done


def bank_line_reconcile(
    line: BankStatementLine, invoices: Sequence[Invoice], *, by: User, difference: str | None = None
) -> BankStatementLine:
    """The transaction pays (or refunds) these invoices: a payment is posted and reconciled with them."""
    with operation():
        line = _open_line(line)
        invoices = list(invoices)
        if not invoices:
            raise InvalidInput(_("Choose the invoices this transaction pays."), field="invoices")
        if any(i.company_id != line.company_id for i in invoices):
            raise InvalidInput(_("These invoices belong to another company."), field="invoices")
        if any(i.is_sale != (line.amount > 0) for i in invoices):
            raise InvalidInput(_("Money received pays customer invoices; money sent pays vendor bills."), field="invoices")
        payment = payment_register(
            invoices, amount=abs(line.amount), on=line.date, journal=line.journal, by=by, difference=difference,
            memo=line.communication or line.structured_reference,
        )  # fmt: skip
        apply_transition(line, StatementLineState.RECONCILED, transitions=LINE_TRANSITIONS, by=by,
                         also={"payment": payment, "partner": invoices[0].partner})  # fmt: skip
    return line


def bank_line_post(line: BankStatementLine, account: Account, *, by: User, label: str = "") -> BankStatementLine:
    """Book the transaction on an account (bank fees, interest, a transfer between own accounts)."""
    require_permission(by, JournalEntry, "add")
    with operation():
        line = _open_line(line)
        if account.company_id != line.company_id:
            raise InvalidInput(_("The account belongs to another company."), field="account")
        bank = line.journal.default_account
        amount = abs(line.amount)
        incoming = line.amount > 0
        text = label or line.communication or line.counterpart_name
        lines = [
            JournalLine(account=bank, partner=line.partner, label=text[:200], debit=amount if incoming else Decimal(0),
                        credit=Decimal(0) if incoming else amount),
            JournalLine(account=account, partner=line.partner, label=text[:200], debit=Decimal(0) if incoming else amount,
                        credit=amount if incoming else Decimal(0)),
        ]  # fmt: skip
        entry = JournalEntry(
            company=line.company, journal=line.journal, date=line.date, ref=line.bank_reference or line.statement.identifier
        )
        entry = journal_entry_record(entry, lines, by=by)
        apply_transition(line, StatementLineState.RECONCILED, transitions=LINE_TRANSITIONS, by=by, also={"entry": entry})
    return line


def _open_line(line: BankStatementLine) -> BankStatementLine:
    line = (
        BankStatementLine.objects.select_for_update(of=("self",))
        .select_related("company", "journal", "statement")
        .get(pk=line.pk)
    )
    if line.state != StatementLineState.OPEN:
        raise BusinessError(_("This transaction is already reconciled."), code="already_reconciled")
    return line


CSV_COLUMNS = ("date", "amount", "communication", "counterpart_name", "counterpart_iban")
CSV_OPTIONS = ("date_format", "decimal_separator", "delimiter")


def csv_mapping(journal: Journal, values: dict, *, opening_balance: Decimal = Decimal(0)) -> CsvMapping | None:
    """The column mapping of a CSV statement from what the user typed (None: the file is not CSV).
    `values` has the keys of CSV_COLUMNS and CSV_OPTIONS; empty ones are left out."""
    given = {name: values[name] for name in (*CSV_COLUMNS, *CSV_OPTIONS) if values.get(name)}
    if not given:
        return None
    missing = [name for name in ("date", "amount") if not given.get(name)]
    if missing:
        raise InvalidInput(_("Name the columns of the date and of the amount."), field=f"csv_{missing[0]}")
    return CsvMapping(
        **given, account_iban=journal.bank_iban, currency=journal.company.currency.code, opening_balance=opening_balance
    )
