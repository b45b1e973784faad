"""Supplier payment runs: due vendor bills of suppliers with a bank account are put in one SEPA credit
transfer file (accounting's builder), sent to the bank, and paid when the bank statement shows the
transfers (accounting's statement reconciliation matches them by supplier and amount or reference)."""

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from tessera.accounting.models import Invoice, InvoiceKind, Journal, JournalType
from tessera.accounting.sepa import SepaDebtor, SepaTransfer, credit_transfer_file, transfer_communication
from tessera.accounting.states import InvoiceState, PaymentState
from tessera.core.errors import BusinessError, InvalidInput
from tessera.core.models import Company, PartnerBankAccount, User
from tessera.core.services import record_save, require_company, require_permission
from tessera.core.transactions import operation
from tessera.core.workflow import apply_transition

from ..models import PaymentRun, PaymentRunLine
from ..states import PAYMENT_RUN_TRANSITIONS, PaymentRunState

ZERO = Decimal(0)
OPEN_RUNS = (PaymentRunState.DRAFT, PaymentRunState.SENT)


def _in_open_run() -> Exists:
    """A bill already in a run not cancelled, and not paid since: it is on its way."""
    return Exists(PaymentRunLine.objects.filter(invoice_id=OuterRef("pk"), run__state__in=OPEN_RUNS))


def bills_due(company: Company, until: datetime.date) -> QuerySet[Invoice]:
    """Posted vendor bills still owed, due by `until`, not blocked for payment, in no open run."""
    return (
        Invoice.objects.filter(company=company, kind=InvoiceKind.VENDOR_BILL, state=InvoiceState.POSTED, due_date__lte=until,
                               payment_hold="", amount_residual__gt=0)
        .exclude(payment_state__in=(PaymentState.PAID, PaymentState.REVERSED))
        .exclude(_in_open_run())
        .select_related("partner", "currency")
        .order_by("due_date", "id")
    )  # fmt: skip


def payment_run_create(
    company: Company, bills: Sequence[Invoice], *, journal: Journal, execution_date: datetime.date, by: User
) -> PaymentRun:
    """A draft run paying what is left of each bill, from the journal's bank account on the execution
    date. Every bill must be a posted vendor bill in euros, still owed, not blocked, in no other run,
    of a supplier with a bank account."""
    require_permission(by, PaymentRun, "add")
    require_company(by, journal)
    if not bills:
        raise InvalidInput(_("Choose the bills to pay."), field="bills")
    if journal.company_id != company.pk or journal.type != JournalType.BANK or not journal.bank_iban:
        raise InvalidInput(_("Pay from a bank journal of this company with its IBAN set."), field="journal")
    if execution_date < timezone.localdate():
        raise InvalidInput(_("The execution date cannot be in the past."), field="execution_date")
    with operation():
        locked = list(
            Invoice.objects.select_for_update(of=("self",)).filter(pk__in=[bill.pk for bill in bills])
            .select_related("partner", "currency").order_by("due_date", "id")
        )  # fmt: skip
        # read after the lock, in a statement of its own: a run committed meanwhile by another is seen
        in_runs = set(
            PaymentRunLine.objects.filter(invoice__in=locked, run__state__in=OPEN_RUNS).values_list("invoice_id", flat=True)
        )
        accounts = _bank_accounts([bill.partner_id for bill in locked])
        for position, bill in enumerate(locked):
            _check_payable(company, bill, accounts, position, in_run=bill.pk in in_runs)
        run = PaymentRun(company=company, journal=journal, execution_date=execution_date,
                         amount_total=sum((bill.amount_residual for bill in locked), ZERO))  # fmt: skip
        record_save(run, by=by)
        run.number = f"PAY-{execution_date:%Y%m%d}-{run.pk}"
        PaymentRun.objects.filter(pk=run.pk).update(number=run.number)
        PaymentRunLine.objects.bulk_create(
            PaymentRunLine(company=company, run=run, invoice=bill, partner=bill.partner, amount=bill.amount_residual,
                           iban=accounts[bill.partner_id].iban, bic=accounts[bill.partner_id].bic,
                           communication=bill.payment_reference or bill.ref or bill.number,
                           end_to_end_id=f"{run.number}-{position + 1}")
            for position, bill in enumerate(locked)
        )  # fmt: skip
    return run


def _bank_accounts(partner_ids: Sequence[int]) -> dict[int, PartnerBankAccount]:
    """Each supplier's first bank account."""
    accounts: dict[int, PartnerBankAccount] = {}
    for account in PartnerBankAccount.objects.filter(partner_id__in=partner_ids).order_by("id"):
        accounts.setdefault(account.partner_id, account)
    return accounts


def _check_payable(
    company: Company, bill: Invoice, accounts: dict[int, PartnerBankAccount], position: int, *, in_run: bool
) -> None:
    def refuse(message: str, code: str) -> InvalidInput:
        return InvalidInput(message, code=code, errors={f"bills.{position}": [message]})

    if bill.company_id != company.pk or bill.kind != InvoiceKind.VENDOR_BILL or bill.state != InvoiceState.POSTED:
        raise refuse(_("%(bill)s is not a posted vendor bill.") % {"bill": bill}, "not_a_posted_bill")
    if bill.amount_residual <= 0 or bill.payment_state in (PaymentState.PAID, PaymentState.REVERSED):
        raise refuse(_("%(bill)s is already paid.") % {"bill": bill}, "bill_paid")
    if bill.payment_hold:
        raise refuse(_("%(bill)s is blocked for payment: %(reason)s") % {"bill": bill, "reason": bill.payment_hold},
                     "payment_blocked")  # fmt: skip
    if in_run:
        raise refuse(_("%(bill)s is already in a payment run.") % {"bill": bill}, "bill_in_run")
    if bill.currency.code != "EUR" or bill.currency_id != company.currency_id:
        raise refuse(_("%(bill)s is not in euros: SEPA transfers are.") % {"bill": bill}, "not_euro")
    if bill.partner_id not in accounts:
        raise refuse(
            _("%(supplier)s has no bank account: add their IBAN before paying %(bill)s.")
            % {"supplier": bill.partner, "bill": bill},
            "supplier_without_iban",
        )


def payment_run_file(run: PaymentRun) -> bytes:
    """The run's SEPA credit transfer file (pain.001.001.03). A structured communication (+++…+++)
    travels as such, anything else as free text."""
    if run.state == PaymentRunState.CANCELLED:
        raise BusinessError(_("This payment run is cancelled."), code="run_cancelled")
    journal = run.journal
    debtor = SepaDebtor(name=run.company.name, iban=journal.bank_iban)
    transfers = []
    for line in run.lines.select_related("partner", "invoice"):
        transfers.append(
            SepaTransfer(end_to_end_id=line.end_to_end_id, amount=line.amount, creditor_name=line.partner.name,
                         creditor_iban=line.iban, creditor_bic=line.bic, **transfer_communication(line.communication))
        )  # fmt: skip
    return credit_transfer_file(message_id=run.number, created_at=run.sent_at or timezone.now(), debtor=debtor,
                                execution_date=run.execution_date, transfers=transfers)  # fmt: skip


def payment_run_mark_sent(run: PaymentRun, *, by: User) -> PaymentRun:
    """The file went to the bank. The bills stay owed until the bank statement shows the transfers."""
    require_permission(by, PaymentRun, "change")
    require_company(by, run)
    with operation():
        run = PaymentRun.objects.select_for_update(of=("self",)).get(pk=run.pk)
        if run.state != PaymentRunState.DRAFT:
            raise BusinessError(_("Payment run %(run)s was already sent or cancelled.") % {"run": run}, code="run_not_draft")
        apply_transition(run, PaymentRunState.SENT, transitions=PAYMENT_RUN_TRANSITIONS, by=by,
                         also={"sent_at": timezone.now(), "sent_by": by})  # fmt: skip
    return run


def payment_run_cancel(run: PaymentRun, *, by: User) -> PaymentRun:
    """Drop a draft run: its bills can go in another."""
    require_permission(by, PaymentRun, "change")
    require_company(by, run)
    with operation():
        run = PaymentRun.objects.select_for_update(of=("self",)).get(pk=run.pk)
        if run.state != PaymentRunState.DRAFT:
            raise BusinessError(
                _("Payment run %(run)s went to the bank on %(date)s: it cannot be cancelled here.")
                % {"run": run, "date": formats.localize(timezone.localtime(run.sent_at).date()) if run.sent_at else ""},
                code="run_not_draft",
            )
        apply_transition(run, PaymentRunState.CANCELLED, transitions=PAYMENT_RUN_TRANSITIONS, by=by)
    return run
