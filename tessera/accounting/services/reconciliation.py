"""Payments and reconciliation: matching debit and credit lines of a reconcilable account, with
exchange differences and write-offs booked as entries of their own; invoice residuals and payment
states follow."""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from tessera.core.errors import BusinessError, InvalidInput
from tessera.core.models import Company, User
from tessera.core.money import round_amount
from tessera.core.queries import exchange_rate
from tessera.core.services import record_save, require_company, require_permission
from tessera.core.transactions import operation
from tessera.core.workflow import apply_transition

from ..models import (
    Account,
    Invoice,
    InvoiceKind,
    Journal,
    JournalEntry,
    JournalLine,
    Matching,
    Payment,
    PaymentDirection,
)
from ..states import InvoiceState, PaymentDocState, PaymentState
from .ledger import journal_entry_record, journal_entry_reverse
from .setup import account_for_role

ZERO = Decimal(0)
KEEP_OPEN = "keep_open"
WRITE_OFF = "write_off"
PAYMENT_TRANSITIONS = {PaymentDocState.DRAFT: frozenset({PaymentDocState.POSTED})}


# --- residuals -----------------------------------------------------------------------------------


def residuals(lines: Sequence[JournalLine]) -> dict[int, tuple[Decimal, Decimal]]:
    """Per line: what is left to match, in the company's currency and in the line's currency."""
    ids = [line.pk for line in lines]
    matched: dict[int, list[Decimal]] = {pk: [ZERO, ZERO] for pk in ids}
    for debit_line, credit_line, amount, amount_currency in Matching.objects.filter(
        Q(debit_line__in=ids) | Q(credit_line__in=ids)
    ).values_list("debit_line_id", "credit_line_id", "amount", "amount_currency"):
        for line in (debit_line, credit_line):
            if line in matched:
                matched[line][0] += amount
                matched[line][1] += amount_currency
    return {
        line.pk: (
            abs(line.debit - line.credit) - matched[line.pk][0],
            abs(line.amount_currency) - matched[line.pk][1],
        )
        for line in lines
    }


def open_lines(invoice: Invoice) -> list[JournalLine]:
    """The invoice's receivable or payable lines that still have something to pay."""
    lines = list(
        JournalLine.objects.filter(entry_id=invoice.entry_id, account__reconcile=True)
        .select_related("account").order_by("date_maturity", "id")
    )  # fmt: skip
    left = residuals(lines)
    return [line for line in lines if left[line.pk][0] > 0]


# --- reconcile -----------------------------------------------------------------------------------


def reconcile(
    lines: Iterable[JournalLine], *, by: User, write_off_account: Account | None = None, on: datetime.date | None = None
) -> list[Matching]:
    """Match the debits and the credits of posted lines of one reconcilable account, oldest due first.

    Lines all in one foreign currency are matched in that currency; the difference the exchange rates
    make in the company's currency is booked as an exchange gain or loss. With `write_off_account`,
    what is left unmatched on one side is written off to it."""
    return _reconcile(Q(pk__in=[line.pk for line in lines]), by=by, write_off_account=write_off_account, on=on)


def _reconcile(
    which: Q,
    *,
    by: User,
    write_off_account: Account | None,
    on: datetime.date | None,
    paid: Sequence[Invoice] | None = None,
) -> list[Matching]:
    """`reconcile` of the lines `which` selects, read and locked in one query. `paid`: the posted
    invoices being paid, whose reconcilable lines `which` selects whole with the payment's: their
    residuals and states come from what is read and matched here."""
    require_permission(by, Matching, "add")
    with operation():
        lines = list(
            JournalLine.objects.select_for_update(of=("self",))
            .filter(which)
            .select_related("account", "entry", "company__currency")
            .order_by("date_maturity", "date", "id")
        )
        _check_reconcilable(lines, by)
        left = {pk: list(amounts) for pk, amounts in residuals(lines).items()}
        currencies = {line.currency_id for line in lines}
        foreign = len(currencies) == 1 and None not in currencies
        debits = [line for line in lines if line.debit > 0 and left[line.pk][0] > 0]
        credits = [line for line in lines if line.credit > 0 and left[line.pk][0] > 0]
        matchings: list[Matching] = []
        while debits and credits:
            debit, credit = debits[0], credits[0]
            if foreign:
                matchings += _match_in_currency(debit, credit, left, by)
            else:
                amount = min(left[debit.pk][0], left[credit.pk][0])
                matchings.append(_match(debit, credit, amount, ZERO, left))
            debits = [line for line in debits if left[line.pk][0] > 0]
            credits = [line for line in credits if left[line.pk][0] > 0]
        if write_off_account is not None:
            for line in debits + credits:
                matchings.append(_write_off(line, left, write_off_account, on or line.date, by))
        if paid is None:
            _refresh_invoices({line.entry_id for line in lines})
        else:
            _refresh_paid_invoices(paid, lines, left, matchings)
    return matchings


def _check_reconcilable(lines: Sequence[JournalLine], by: User) -> None:
    if not lines:
        raise InvalidInput(_("Choose the lines to reconcile."), field="lines")
    for line in lines:
        require_company(by, line)
    if len({line.account_id for line in lines}) != 1:
        raise InvalidInput(_("Reconcile lines of one account at a time."), field="lines")
    account = lines[0].account
    if not account.reconcile:
        raise InvalidInput(_("Account %(account)s is not reconcilable.") % {"account": account}, field="lines")
    if not all(line.posted for line in lines):
        raise InvalidInput(_("Only posted lines can be reconciled."), field="lines")


def _match(debit: JournalLine, credit: JournalLine, amount: Decimal, amount_currency: Decimal, left: dict) -> Matching:
    for line in (debit, credit):
        left[line.pk][0] -= amount
        left[line.pk][1] -= amount_currency
    return Matching.objects.create(
        company_id=debit.company_id, debit_line=debit, credit_line=credit, amount=amount, amount_currency=amount_currency,
        date=max(debit.date, credit.date),
    )  # fmt: skip


def _match_in_currency(debit: JournalLine, credit: JournalLine, left: dict, by: User) -> list[Matching]:
    """Match in the lines' currency; book the company-currency difference as an exchange result."""
    in_currency = min(left[debit.pk][1], left[credit.pk][1])
    debit_part = _company_part(debit, in_currency, left)
    credit_part = _company_part(credit, in_currency, left)
    matchings = [_match(debit, credit, min(debit_part, credit_part), in_currency, left)]
    difference = credit_part - debit_part
    if difference:
        exchange_line = _exchange_difference(debit, credit, difference, by)
        left[exchange_line.pk] = [abs(difference), ZERO]
        if difference > 0:  # the credit is worth more: a gain, matched by a new debit on the account
            exchange = _match(exchange_line, credit, difference, ZERO, left)
        else:  # a loss, matched by a new credit on the account
            exchange = _match(debit, exchange_line, -difference, ZERO, left)
        exchange.exchange_entry = exchange_line.entry
        exchange.save(update_fields=["exchange_entry"])
        matchings.append(exchange)
    return matchings


def _company_part(line: JournalLine, in_currency: Decimal, left: dict) -> Decimal:
    """The company-currency value of `in_currency` of a line, at the line's own rate; all of what is
    left when the line is matched in full, so no cent stays behind."""
    if in_currency == left[line.pk][1]:
        return left[line.pk][0]
    return round_amount(abs(line.debit - line.credit) * in_currency / abs(line.amount_currency), line.company.currency)


def _exchange_difference(debit: JournalLine, credit: JournalLine, difference: Decimal, by: User) -> JournalLine:
    """Post the exchange gain (difference > 0) or loss on the reconciled account; return its line there."""
    company = debit.company
    result = account_for_role(company, "exchange_gain" if difference > 0 else "exchange_loss")
    amount = abs(difference)
    on_account = JournalLine(
        account=debit.account, partner=debit.partner or credit.partner, label=_("Exchange difference"), currency=debit.currency,
        debit=amount if difference > 0 else ZERO, credit=ZERO if difference > 0 else amount,
    )  # fmt: skip
    on_result = JournalLine(
        account=result,
        label=_("Exchange difference"),
        debit=ZERO if difference > 0 else amount,
        credit=amount if difference > 0 else ZERO,
    )
    _post_entry(company, max(debit.date, credit.date), [on_account, on_result], _("Exchange difference"), by)
    return JournalLine.objects.get(pk=on_account.pk)


def _write_off(line: JournalLine, left: dict, account: Account, on: datetime.date, by: User) -> Matching:
    amount = left[line.pk][0]
    on_account = JournalLine(
        account=line.account, partner=line.partner, label=_("Write-off"), currency=line.currency,
        debit=ZERO if line.debit > 0 else amount, credit=amount if line.debit > 0 else ZERO,
        amount_currency=-left[line.pk][1] if line.debit > 0 else left[line.pk][1],
    )  # fmt: skip
    on_expense = JournalLine(account=account, label=_("Write-off"), debit=on_account.credit, credit=on_account.debit)
    _post_entry(line.company, on, [on_account, on_expense], _("Write-off"), by)
    counterpart = JournalLine.objects.get(pk=on_account.pk)
    left[counterpart.pk] = [amount, left[line.pk][1]]
    if line.debit > 0:
        return _match(line, counterpart, amount, left[line.pk][1], left)
    return _match(counterpart, line, amount, left[line.pk][1], left)


def _post_entry(company: Company, on: datetime.date, lines: list[JournalLine], ref: str, by: User) -> JournalEntry:
    journal = Journal.objects.get(company=company, code="MISC")
    return journal_entry_record(JournalEntry(company=company, journal=journal, date=on, ref=ref), lines, by=by)


def unreconcile(line: JournalLine, *, by: User) -> None:
    """Undo the matchings of a line; exchange differences they booked are reversed."""
    require_permission(by, Matching, "delete")
    require_company(by, line)
    with operation():
        matchings = list(
            Matching.objects.select_for_update(of=("self",))
            .filter(Q(debit_line=line) | Q(credit_line=line))
            .select_related("debit_line", "credit_line")
        )
        entries = {m.debit_line.entry_id for m in matchings} | {m.credit_line.entry_id for m in matchings}
        exchange_entries = {m.exchange_entry for m in matchings if m.exchange_entry_id}
        Matching.objects.filter(pk__in=[m.pk for m in matchings]).delete()
        for entry in exchange_entries:
            Matching.objects.filter(Q(debit_line__entry=entry) | Q(credit_line__entry=entry)).delete()
            reversal = journal_entry_reverse(entry, on=entry.date, by=by)
            # the exchange difference and its reversal cancel out on the account: match them
            reconcile(JournalLine.objects.filter(entry__in=[entry, reversal], account__reconcile=True), by=by)
        _refresh_invoices(entries)


# --- invoices follow their lines -----------------------------------------------------------------


def _refresh_invoices(entry_ids: Iterable[int]) -> None:
    """Set the residual and payment state of the invoices whose entries hold these lines."""
    invoices = list(Invoice.objects.filter(entry_id__in=list(entry_ids), state=InvoiceState.POSTED).select_related("company"))
    lines_of: dict[int, list[JournalLine]] = {invoice.entry_id: [] for invoice in invoices}
    for line in JournalLine.objects.filter(entry_id__in=lines_of, account__reconcile=True):
        lines_of[line.entry_id].append(line)
    left = residuals([line for lines in lines_of.values() for line in lines])
    for invoice in invoices:
        lines = lines_of[invoice.entry_id]
        residual = _residual(invoice, lines, left)
        _set_payment_state(invoice, residual, _payment_state(invoice, lines, residual))


def _refresh_paid_invoices(
    invoices: Sequence[Invoice], lines: Sequence[JournalLine], left: Mapping[int, Sequence[Decimal]], matchings: list[Matching]
) -> None:
    """`_refresh_invoices` for invoices whose reconcilable lines are all in `lines`, with what is left
    of each. One settled by a matching made now with a line of no invoice (the payment, a write-off)
    is paid, not reversed, without reading its other matchings."""
    entries = {invoice.entry_id for invoice in invoices}
    for invoice in invoices:
        own = [line for line in lines if line.entry_id == invoice.entry_id]
        ids = {line.pk for line in own}
        residual = _residual(invoice, own, left)
        by_payment = any(
            (m.debit_line_id in ids and m.credit_line.entry_id not in entries)
            or (m.credit_line_id in ids and m.debit_line.entry_id not in entries)
            for m in matchings
        )
        state = PaymentState.PAID if by_payment and not residual else _payment_state(invoice, own, residual)
        _set_payment_state(invoice, residual, state)


def _residual(invoice: Invoice, lines: Sequence[JournalLine], left: Mapping[int, Sequence[Decimal]]) -> Decimal:
    """What is left to pay of the invoice, in its own currency."""
    foreign = invoice.currency_id != invoice.company.currency_id
    return sum((left[line.pk][1] if foreign else left[line.pk][0] for line in lines), ZERO)


def _set_payment_state(invoice: Invoice, residual: Decimal, state: str) -> None:
    invoice.amount_residual, invoice.payment_state = residual, state
    Invoice.objects.filter(pk=invoice.pk).update(amount_residual=residual, payment_state=state)


def _payment_state(invoice: Invoice, lines: Sequence[JournalLine], residual: Decimal) -> str:
    if residual == invoice.amount_total:
        return PaymentState.NOT_PAID
    if residual:
        return PaymentState.PARTIAL
    own = {line.pk for line in lines}
    other_entries = {
        m.credit_line.entry_id if m.debit_line_id in own else m.debit_line.entry_id
        for m in Matching.objects.filter(Q(debit_line__in=own) | Q(credit_line__in=own)).select_related(
            "debit_line", "credit_line"
        )
    }
    # settled by documents of the opposite kind only (an invoice by its credit notes, or the reverse)
    opposite = {
        InvoiceKind.CUSTOMER_INVOICE: InvoiceKind.CUSTOMER_CREDIT_NOTE,
        InvoiceKind.CUSTOMER_CREDIT_NOTE: InvoiceKind.CUSTOMER_INVOICE,
        InvoiceKind.VENDOR_BILL: InvoiceKind.VENDOR_REFUND,
        InvoiceKind.VENDOR_REFUND: InvoiceKind.VENDOR_BILL,
    }[invoice.kind]
    if other_entries and Invoice.objects.filter(entry_id__in=other_entries, kind=opposite).count() == len(other_entries):
        return PaymentState.REVERSED
    return PaymentState.PAID


# --- payments ------------------------------------------------------------------------------------


def payment_post(payment: Payment, *, by: User) -> Payment:
    """Post a payment: the bank (or cash) account against the partner's receivable or payable."""
    require_permission(by, Payment, "add")
    require_company(by, payment)
    with operation():
        if payment._state.adding:
            record_save(payment, by=by)
        company = payment.company
        foreign = payment.currency_id != company.currency_id
        rate = exchange_rate(company, payment.currency, payment.date) if foreign else Decimal(1)
        amount = round_amount(payment.amount * rate, company.currency)
        inbound = payment.direction == PaymentDirection.INBOUND
        counterpart = account_for_role(company, "receivable" if inbound else "payable")
        bank = payment.journal.default_account
        if bank is None:
            raise InvalidInput(_("Pay through a bank or cash journal."), field="journal")
        currency = payment.currency if foreign else None
        signed = payment.amount if inbound else -payment.amount
        in_bank, out_bank = (amount, ZERO) if inbound else (ZERO, amount)
        lines = [
            JournalLine(
                account=bank, partner=payment.partner, label=payment.memo, currency=currency,
                amount_currency=signed if foreign else ZERO, debit=in_bank, credit=out_bank,
            ),
            JournalLine(
                account=counterpart, partner=payment.partner, label=payment.memo, currency=currency, date_maturity=payment.date,
                amount_currency=-signed if foreign else ZERO, debit=out_bank, credit=in_bank,
            ),
        ]  # fmt: skip
        entry = JournalEntry(company=company, journal=payment.journal, date=payment.date, ref=payment.memo)
        entry = journal_entry_record(entry, lines, by=by)
        apply_transition(payment, PaymentDocState.POSTED, transitions=PAYMENT_TRANSITIONS, by=by, also={"entry": entry})
    return payment


def payment_register(
    invoices: Sequence[Invoice],
    *,
    amount: Decimal,
    on: datetime.date,
    journal: Journal,
    by: User,
    difference: str | None = None,
    memo: str = "",
) -> Payment:
    """Pay invoices (or bills) of one partner: post the payment and reconcile it with them, oldest due
    first. A payment larger than what it pays needs a decision: keep the difference open (a credit
    the partner can use later) or write it off; so does writing off what a smaller payment leaves."""
    if not invoices:
        raise InvalidInput(_("Choose the invoices to pay."), field="invoices")
    with operation():
        # read again, locked: what is due is the residual now, not what the caller saw
        invoices = list(
            Invoice.objects.select_for_update(of=("self",)).filter(pk__in=[i.pk for i in invoices])
            .select_related("company__currency", "partner", "currency").order_by("due_date", "id")
        )  # fmt: skip
        first = invoices[0]
        if any(
            i.state != InvoiceState.POSTED or i.partner_id != first.partner_id or i.is_sale != first.is_sale for i in invoices
        ):
            raise InvalidInput(
                _("Pay posted invoices of one partner, all customer invoices or all vendor bills."), field="invoices"
            )
        held = [i for i in invoices if i.payment_hold]
        if held:
            raise BusinessError(
                _("%(invoice)s is blocked for payment: %(reason)s") % {"invoice": held[0], "reason": held[0].payment_hold},
                code="payment_blocked",
            )
        if len({i.currency_id for i in invoices}) != 1:
            raise InvalidInput(_("Pay invoices of one currency at a time."), field="invoices")
        if amount <= 0:
            raise InvalidInput(_("The amount must be positive."), field="amount")
        due = sum((i.amount_residual if not i.is_refund else -i.amount_residual for i in invoices), ZERO)
        if amount > due and difference not in (KEEP_OPEN, WRITE_OFF):
            raise InvalidInput(
                _("The payment (%(amount)s) is larger than what is due (%(due)s). Keep the difference open or write it off.")
                % {"amount": amount, "due": due},
                field="difference",
            )
        direction = PaymentDirection.INBOUND if first.is_sale else PaymentDirection.OUTBOUND
        payment = Payment(
            company=first.company, direction=direction, partner=first.partner, journal=journal, date=on, amount=amount,
            currency=first.currency, memo=memo or first.payment_reference or first.ref or first.number,
        )  # fmt: skip
        payment_post(payment, by=by)
        # the invoices' and the payment's receivable (or payable) lines; those already paid match nothing
        entries = [invoice.entry_id for invoice in invoices] + [payment.entry_id]
        write_off = account_for_role(first.company, "write_off") if difference == WRITE_OFF else None
        lines = Q(entry_id__in=entries, account__reconcile=True)
        _reconcile(lines, by=by, write_off_account=write_off, on=on, paid=invoices)
    return payment
