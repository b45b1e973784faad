"""Customer invoices and credit notes, vendor bills and refunds: drafts, posting to the ledger,
cancelling drafts and crediting posted ones."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.be import ogm_vcs

from tessera.core.bulk import many_to_many_add
from tessera.core.errors import BusinessError, InvalidInput
from tessera.core.models import Company, Currency, Partner, Product, User
from tessera.core.money import round_amount
from tessera.core.payment_terms import due_schedule
from tessera.core.queries import exchange_rate
from tessera.core.services import invalid_input_from, record_save, require_company, require_permission
from tessera.core.transactions import operation, remembered_each
from tessera.core.workflow import apply_transition

from .. import hooks
from ..models import (
    Account,
    FiscalPosition,
    FiscalPositionKind,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    JournalEntry,
    JournalLine,
    ProductTaxes,
    Tax,
    TaxRounding,
    TaxUse,
)
from ..states import INVOICE_TRANSITIONS, InvoiceState
from ..tax_computation import DocumentTaxes, TaxRule, document_taxes, gross_amount
from .ledger import journal_entry_record
from .setup import account_for_role, accounting_settings, tax_distribution

EU_MEMBER_STATES = frozenset(
    {
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    }
)


@dataclass
class DraftLine:
    """An invoice line with its taxes, as the back office and the API hand it to the services."""

    line: InvoiceLine
    taxes: list[Tax] = field(default_factory=list)


# --- fiscal positions ----------------------------------------------------------------------------


def fiscal_position_for(company: Company, partner: Partner) -> FiscalPosition | None:
    """The fiscal position that applies to a partner: intra-EU B2B for a VAT-registered partner in
    another member state, export for a partner outside the EU, none at home."""
    country, home = str(partner.country), str(company.country)
    if country == home:
        return None
    if country in EU_MEMBER_STATES:
        kind = FiscalPositionKind.INTRA_EU if partner.vat and home in EU_MEMBER_STATES else None
    else:
        kind = FiscalPositionKind.EXPORT
    if kind is None:
        return None
    return FiscalPosition.objects.filter(company=company, kind=kind, active=True).first()


def map_taxes(taxes: Sequence[Tax], position: "FiscalPosition | dict[int, Tax | None] | None") -> list[Tax]:
    """Taxes as a fiscal position maps them (a position's mapping from `_position_mapping` will do)."""
    mapping = position if isinstance(position, dict) else _position_mapping(position)
    mapped = [mapping.get(tax.pk, tax) for tax in taxes]
    return [tax for tax in mapped if tax is not None]


def _position_mapping(position: FiscalPosition | None) -> dict[int, Tax | None]:
    if position is None:
        return {}
    return {m.source_id: m.target for m in position.mappings.select_related("target")}


# --- drafts --------------------------------------------------------------------------------------


def invoice_save(invoice: Invoice, lines: Sequence[DraftLine], *, by: User) -> Invoice:
    """Save a draft with its lines (replacing the previous ones) and its totals."""
    require_permission(by, Invoice, "add" if invoice._state.adding else "change")
    require_company(by, invoice)
    if invoice.pk and Invoice.objects.filter(pk=invoice.pk).exclude(state=InvoiceState.DRAFT).exists():
        raise BusinessError(_("Only a draft can be changed; credit a posted invoice instead."), code="invoice_posted")
    if invoice._state.adding and invoice.partner_id:
        if invoice.fiscal_position_id is None:
            invoice.fiscal_position = fiscal_position_for(invoice.company, invoice.partner)
        if invoice.payment_term_id is None and invoice.due_date is None:
            partner = invoice.partner
            invoice.payment_term = partner.customer_payment_term if invoice.is_sale else partner.supplier_payment_term
    use = TaxUse.SALE if invoice.is_sale else TaxUse.PURCHASE
    for position, draft in enumerate(lines):
        _check_line(invoice, draft, position, use)
    totals = _compute(invoice, lines)
    invoice.amount_untaxed, invoice.amount_tax, invoice.amount_total = totals.untaxed, totals.tax, totals.total
    invoice.amount_residual = invoice.amount_total
    for draft, computed in zip(lines, totals.lines, strict=True):
        draft.line.subtotal = computed.base
    with operation():
        old = [] if invoice._state.adding else _describe_saved(invoice)
        new = _describe(lines)
        adding = invoice._state.adding
        record_save(invoice, by=by, extra_changes={} if old == new else {"lines": {"old": old, "new": new}})
        if not adding:
            invoice.lines.all().delete()
        for draft in lines:
            draft.line.invoice = invoice
            draft.line.pk = None
        InvoiceLine.objects.bulk_create([draft.line for draft in lines])
        many_to_many_add([draft.line for draft in lines], "taxes", [draft.taxes for draft in lines])
    return invoice


def _check_line(invoice: Invoice, draft: DraftLine, position: int, use: str) -> None:
    line = draft.line
    line.company_id, line.position = invoice.company_id, position
    try:
        line.full_clean(exclude={"invoice"})
    except ValidationError as exc:
        error = invalid_input_from(exc)
        raise InvalidInput(
            _("Line %(number)s: %(message)s") % {"number": position + 1, "message": error.message},
            errors={f"lines.{position}.{name}": messages for name, messages in error.errors.items()},
        ) from None
    for tax in draft.taxes:
        if tax.company_id != invoice.company_id:
            raise InvalidInput(_("Tax %(tax)s belongs to another company.") % {"tax": tax}, field=f"lines.{position}.taxes")
        if tax.use != use:
            raise InvalidInput(
                _("%(tax)s is a %(use)s tax; this document needs %(needed)s taxes.")
                % {"tax": tax, "use": tax.get_use_display().lower(), "needed": TaxUse(use).label.lower()},
                field=f"lines.{position}.taxes",
            )


def _compute(invoice: Invoice, lines: Sequence[DraftLine]) -> DocumentTaxes:
    return document_totals(
        invoice.company,
        invoice.currency,
        [(d.line.price_unit, d.line.quantity, d.line.discount, d.taxes) for d in lines],
        refund=invoice.is_refund,
    )


def document_totals(
    company: Company,
    currency: Currency,
    lines: Sequence[tuple[Decimal, Decimal, Decimal, Sequence[Tax]]],
    *,
    refund: bool = False,
) -> DocumentTaxes:
    """Untaxed amount and taxes of a document whose lines are (unit price, quantity, discount %,
    taxes), rounded per line or per document as the company's settings say. Sales orders and
    purchase orders total their lines with it, as invoices do."""
    settings = accounting_settings(company)
    rounding = settings.tax_rounding if settings else None
    shares = {tax.pk: _charged_share(tax, refund) for _price, _quantity, _discount, taxes in lines for tax in taxes}
    return document_taxes(
        [
            (gross_amount(price, quantity, discount), [TaxRule(tax.pk, tax.rate, tax.price_include, shares[tax.pk])
                                                       for tax in taxes])
            for price, quantity, discount, taxes in lines
        ],
        currency.minor_unit,
        per_line=rounding != TaxRounding.PER_DOCUMENT,
    )  # fmt: skip


def _charged_share(tax: Tax, refund: bool) -> Decimal:
    """The share of the tax the partner pays: the sum of its distribution (0 when self-assessed)."""
    parts = [part.factor for part in tax_distribution(tax) if part.refund == refund]
    return (sum(parts, Decimal(0)) / 100).normalize() if parts else Decimal(1)


def _describe(lines: Sequence[DraftLine]) -> list[str]:
    return [
        f"{d.line.description} {d.line.quantity} × {d.line.price_unit} -{d.line.discount}% {d.line.account_id} "
        f"[{' '.join(sorted(tax.code for tax in d.taxes))}]"
        for d in lines
    ]


def _describe_saved(invoice: Invoice) -> list[str]:
    return _describe([DraftLine(line, list(line.taxes.all())) for line in invoice.lines.prefetch_related("taxes")])


def invoice_cancel(invoice: Invoice, *, by: User) -> Invoice:
    """Cancel a draft (a posted invoice is credited instead); the documents it invoiced follow
    (a sales order can invoice those quantities again)."""
    require_permission(by, Invoice, "change")
    require_company(by, invoice)
    with operation():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        apply_transition(invoice, InvoiceState.CANCELLED, transitions=INVOICE_TRANSITIONS, by=by)
        hooks.run_invoice_cancelled(invoice, by)
    return invoice


def invoice_credit_note(invoice: Invoice, *, by: User, on: datetime.date | None = None) -> Invoice:
    """A draft credit note (or vendor refund) with the lines of a posted invoice, to adjust and post."""
    if invoice.state != InvoiceState.POSTED or invoice.is_refund:
        raise BusinessError(_("Only a posted invoice or bill can be credited."), code="not_creditable")
    kind = InvoiceKind.CUSTOMER_CREDIT_NOTE if invoice.is_sale else InvoiceKind.VENDOR_REFUND
    credit_note = Invoice(
        company=invoice.company, kind=kind, partner=invoice.partner, journal=invoice.journal, date=on or invoice.date,
        currency=invoice.currency, fiscal_position=invoice.fiscal_position, origin=invoice,
        ref=_("Credit note of %(number)s") % {"number": invoice.number} if invoice.is_sale else "",
    )  # fmt: skip
    lines = [
        DraftLine(
            InvoiceLine(
                product=line.product, description=line.description, account=line.account, quantity=line.quantity,
                uom=line.uom, price_unit=line.price_unit, discount=line.discount,
            ),
            list(line.taxes.all()),
        )
        for line in invoice.lines.prefetch_related("taxes")
    ]  # fmt: skip
    return invoice_save(credit_note, lines, by=by)


# --- posting -------------------------------------------------------------------------------------


def invoice_post(invoice: Invoice, *, by: User) -> Invoice:
    """Post a draft: write and post its journal entry (receivable or payable per instalment, income
    or expense per line, tax per tax and grid), number it, and set its due date."""
    require_permission(by, Invoice, "post")
    require_company(by, invoice)
    with operation():
        invoice = (
            Invoice.objects.select_for_update(of=("self",))
            .select_related("company__currency", "currency", "journal", "partner")
            .get(pk=invoice.pk)
        )
        if invoice.state != InvoiceState.DRAFT:
            raise BusinessError(_("%(invoice)s is not a draft.") % {"invoice": invoice}, code="invoice_posted")
        drafts = [
            DraftLine(line, list(line.taxes.all())) for line in invoice.lines.select_related("account").prefetch_related("taxes")
        ]
        if not drafts:
            raise InvalidInput(_("Add at least one line before posting."), code="empty_invoice", field="lines")
        rate = (
            Decimal(1)
            if invoice.currency_id == invoice.company.currency_id
            else exchange_rate(invoice.company, invoice.currency, invoice.date)
        )
        totals = _compute(invoice, drafts)
        schedule = _schedule(invoice, totals.total)
        entry = JournalEntry(company=invoice.company, journal=invoice.journal, date=invoice.date, ref=invoice.ref)
        entry = journal_entry_record(entry, _entry_lines(invoice, drafts, totals, schedule, rate), by=by)
        apply_transition(
            invoice,
            InvoiceState.POSTED,
            transitions=INVOICE_TRANSITIONS,
            by=by,
            also={
                "number": entry.number, "entry": entry, "exchange_rate": rate, "due_date": schedule[-1][0],
                "amount_untaxed": totals.untaxed, "amount_tax": totals.tax, "amount_total": totals.total,
                "amount_residual": totals.total,
                "payment_reference": invoice.payment_reference or _structured_reference(invoice),
            },
        )  # fmt: skip
        hooks.run_invoice_posted(invoice, by)
    return invoice


def invoice_hold_payment(invoice: Invoice, reason: str, *, by: User) -> Invoice:
    """Block a posted bill (or invoice) for payment, with the reason a user sees, until released.
    Whoever may post invoices may block and release their payment."""
    require_permission(by, Invoice, "post")
    require_company(by, invoice)
    if not reason:
        raise InvalidInput(_("Say why the payment is blocked."), field="payment_hold")
    with operation():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        invoice.payment_hold = reason[:500]
        record_save(invoice, by=by)
    return invoice


def invoice_release_payment(invoice: Invoice, *, by: User) -> Invoice:
    """Lift a payment block: the bill can be paid again."""
    require_permission(by, Invoice, "post")
    require_company(by, invoice)
    with operation():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.payment_hold:
            invoice.payment_hold = ""
            record_save(invoice, by=by)
    return invoice


def _schedule(invoice: Invoice, total: Decimal) -> list[tuple[datetime.date, Decimal]]:
    """Due dates and amounts: from the payment term, else the due date typed, else the invoice date."""
    if invoice.payment_term is None:
        return [(invoice.due_date or invoice.date, total)]
    instalments = [line.as_instalment() for line in invoice.payment_term.lines.all()]
    return due_schedule(total, invoice.date, instalments, invoice.currency.minor_unit)


def _structured_reference(invoice: Invoice) -> str:
    """The Belgian structured communication of a customer invoice: 10 digits and 2 check digits."""
    if not invoice.is_sale or invoice.is_refund:
        return ""
    base = f"{invoice.pk % 10**10:010d}"
    return f"+++{ogm_vcs.format(base + ogm_vcs.calc_check_digits(base))}+++"


@dataclass
class _Amount:
    """A signed amount in the document's currency and its conversion (+ means debit)."""

    document: Decimal
    company: Decimal


def _entry_lines(
    invoice: Invoice,
    drafts: Sequence[DraftLine],
    totals: DocumentTaxes,
    schedule: Sequence[tuple[datetime.date, Decimal]],
    rate: Decimal,
) -> list[JournalLine]:
    # Income and tax amounts go to the credit of a customer invoice and the debit of a vendor bill;
    # refunds go the other way, and the receivable or payable takes the opposite of their sum.
    sign = Decimal(-1) if invoice.kind in (InvoiceKind.CUSTOMER_INVOICE, InvoiceKind.VENDOR_REFUND) else Decimal(1)
    company_currency = invoice.company.currency
    foreign = invoice.currency_id != company_currency.pk

    def convert(amount: Decimal) -> _Amount:
        signed = sign * amount
        return _Amount(signed, round_amount(signed * rate, company_currency) if foreign else signed)

    lines: list[JournalLine] = []

    def add(account, amount: _Amount, **values) -> None:
        lines.append(
            JournalLine(
                account=account, partner=invoice.partner, debit=max(amount.company, Decimal(0)),
                credit=max(-amount.company, Decimal(0)), currency=invoice.currency if foreign else None,
                amount_currency=amount.document if foreign else Decimal(0), **values,
            )
        )  # fmt: skip

    for draft, computed in zip(drafts, totals.lines, strict=True):
        grids = " ".join(sorted({grid for tax in draft.taxes for grid in tax.base_grids(invoice.is_refund).split()}))
        add(draft.line.account, convert(computed.base), label=draft.line.description[:200], vat_grids=grids)
    taxes = {tax.pk: tax for draft in drafts for tax in draft.taxes}
    for tax_id, amount in totals.taxes.items():
        for part in (part for part in tax_distribution(taxes[tax_id]) if part.refund == invoice.is_refund):
            share = round_amount(amount * part.factor / 100, invoice.currency)
            if share:
                add(part.account, convert(share), label=taxes[tax_id].name[:200], tax=taxes[tax_id], vat_grids=part.grid)
    if totals.rounding:
        add(account_for_role(invoice.company, "rounding"), convert(totals.rounding), label=_("Rounding"))
    counterpart = account_for_role(invoice.company, "receivable" if invoice.is_sale else "payable")
    for due, amount in schedule:
        add(counterpart, convert(-amount), label=invoice.ref or "", date_maturity=due)
    difference = sum((line.credit - line.debit for line in lines), Decimal(0))
    if difference:  # conversion to the company currency rounded each line: the cents go to rounding
        add(account_for_role(invoice.company, "rounding"), _Amount(Decimal(0), difference), label=_("Currency rounding"))
    return lines


def invoice_line_defaults(invoice: Invoice, product: Product | None) -> tuple[Account, list[Tax]]:
    """The account and taxes of a new line: the product's, else the company's defaults, mapped by the
    invoice's fiscal position."""
    return invoice_lines_defaults(invoice, [product] if product else [])[product.pk if product else None]


def invoice_lines_defaults(invoice: Invoice, products: Sequence[Product]) -> dict[int | None, tuple[Account, list[Tax]]]:
    """`invoice_line_defaults` of several products at once, by product id (None: no product)."""
    own = _own_settings(products, sale=invoice.is_sale)
    fallback = account_for_role(invoice.company, "sales" if invoice.is_sale else "purchases")
    taxes = _mapped_taxes(invoice.company, products, own, sale=invoice.is_sale, position=invoice.fiscal_position)

    def account(product_id: int | None) -> Account:
        row = own.get(product_id)
        return (row and (row.income_account if invoice.is_sale else row.expense_account)) or fallback

    return {product_id: (account(product_id), mapped) for product_id, mapped in taxes.items()}


def product_taxes(company: Company, product: Product | None, *, sale: bool, position: FiscalPosition | None) -> list[Tax]:
    """The sale (or purchase) taxes of a product, else the company's default, mapped by the fiscal position."""
    return products_taxes(company, [product] if product else [], sale=sale, position=position)[product.pk if product else None]


def products_taxes(
    company: Company, products: Sequence[Product], *, sale: bool, position: FiscalPosition | None
) -> dict[int | None, list[Tax]]:
    """`product_taxes` of several products at once, by product id; None gives the company's default."""
    return _mapped_taxes(company, products, _own_settings(products, sale=sale), sale=sale, position=position)


def _own_settings(products: Sequence[Product], *, sale: bool) -> dict[int, ProductTaxes]:
    """The products' own taxes and accounts, by product id, with the taxes of the side asked; read
    once per configuration version."""
    side = "sale_taxes" if sale else "purchase_taxes"

    def read(missing: list[int]) -> dict[int, ProductTaxes]:
        rows = ProductTaxes.objects.filter(product__in=missing).select_related("income_account", "expense_account")
        return {row.product_id: row for row in rows.prefetch_related(side)}

    found = remembered_each(ProductTaxes, side, [product.pk for product in products], read, default=None)
    return {product_id: row for product_id, row in found.items() if row is not None}


def _mapped_taxes(
    company: Company, products: Sequence[Product], own: dict[int, ProductTaxes], *, sale: bool, position: FiscalPosition | None
) -> dict[int | None, list[Tax]]:
    settings = accounting_settings(company)
    default = getattr(settings, "default_sale_tax" if sale else "default_purchase_tax") if settings else None
    mapping = _position_mapping(position)
    defaults = map_taxes([default] if default else [], mapping)
    result: dict[int | None, list[Tax]] = {None: defaults}
    for product in products:
        row = own.get(product.pk)
        result[product.pk] = map_taxes((row.sale_taxes if sale else row.purchase_taxes).all(), mapping) if row else list(defaults)
    return result
