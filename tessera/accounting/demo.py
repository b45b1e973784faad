"""Accounting demo data for the demo company: its chart, journals, the opening balances of the
previous fiscal year, and that year of business: posted customer invoices, credit notes and vendor
bills, their payments, and the bank statement of its last month, all consistent with each other.

Registered with core's `demo` command; creates only what is missing. Everything is drawn from a
Random with a fixed seed, so two loads on days of the same fiscal year give the same books."""

import datetime
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from random import Random

from django.db import transaction
from django.utils import timezone

from tessera.core.models import Company, Partner, PartnerBankAccount, Product, Uom, User
from tessera.core.services import record_save

from .models import (
    Account,
    BankStatement,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    Journal,
    JournalEntry,
    JournalLine,
    Payment,
    PaymentDirection,
    ProductTaxes,
    Tax,
)
from .queries import movements
from .services import (
    DraftLine,
    bank_line_post,
    bank_statement_auto_reconcile,
    bank_statement_import,
    chart_load,
    fiscal_position_for,
    invoice_credit_note,
    invoice_line_defaults,
    invoice_post,
    invoice_save,
    journal_entry_post,
    journal_entry_save,
    journal_save,
    map_taxes,
    open_lines,
    payment_post,
    payment_register,
    reconcile,
)

OPENING_REF = "OPENING"
# (account code, debit, credit) of the Belgian chart; the receivables and payables go per partner.
# The stock (raw materials 142,000.00, finished goods 96,000.00) is debited to the suspense account 499000:
# the inventory demo receives the opening stock from a location booked against 499000, which credits it
# and debits the stock accounts 300000 and 330000 with the value of the goods (decision 11).
OPENING_BALANCES = (
    ("221000", "850000.00", "0"), ("221900", "0", "255000.00"), ("230000", "620000.00", "0"), ("230900", "0", "310000.00"),
    ("241000", "85000.00", "0"), ("241900", "0", "42000.00"), ("499000", "142000.00", "0"), ("499000", "96000.00", "0"),
    ("550000", "215000.00", "0"), ("100000", "0", "500000.00"), ("130000", "0", "50000.00"), ("133000", "0", "180000.00"),
    ("140000", "0", "224000.00"), ("173000", "0", "420000.00"), ("451000", "0", "38000.00"), ("453000", "0", "21000.00"),
    ("454000", "0", "24000.00"),
)  # fmt: skip
OPEN_RECEIVABLES = ("48250.00", "36900.00", "31275.50", "27410.00", "22664.50", "17500.00")  # 184,000.00
OPEN_PAYABLES = ("46300.00", "38150.00", "26990.00", "16560.00")  # 128,000.00

SEED = 2025
COMPANY_IBAN = "BE62001456781261"  # the demo company's current account at BNP Paribas Fortis (GEBABEBB)
BANK_CHARGES = "657200"  # Frais bancaires / Bankkosten
BANK = "BNP Paribas Fortis"
CUSTOMER_INVOICES = 120
VENDOR_BILLS = 60
FULL_CREDIT_NOTES, PARTIAL_CREDIT_NOTES = 2, 2
PARTIAL_PAYMENTS = 5
# Invoices the customers leave unpaid, by days overdue on the last day of the year: (from, to, how many).
UNPAID = ((1, 30, 1), (31, 60, 2), (61, 90, 2), (91, 200, 2))
STATEMENT_BY_REFERENCE, STATEMENT_BY_IBAN = 9, 2  # customer payments on the statement, auto-reconciled
ZERO, CENT = Decimal(0), Decimal("0.01")

# Default taxes and accounts of the products, by category (the first that matches):
# (category, sales tax, income account, purchase tax, expense account).
PRODUCT_ACCOUNTS = (
    ("Finished goods", "S21", "700000", "", ""),
    ("Services", "S21-S", "700100", "P21-S", "610000"),
    ("Raw materials", "", "", "P21-G", "600000"),
    ("Fasteners", "", "", "P21-G", "601000"),
    ("Paints & coatings", "", "", "P21-G", "601000"),
    ("Components / Castors", "S21", "700000", "P21-G", "604000"),
    ("Components", "", "", "P21-G", "604000"),
)
# The finished goods and services sold on the invoices. Not the trolleys (TR-): core's demo test
# deletes them to check that a second load completes a partial one, which invoice lines forbid.
SOLD = ("SH-", "WB-", "CB-", "SV-")


@dataclass(frozen=True)
class Service:
    """A service a supplier bills without a product: expensed on the services account (P21-S)."""

    description: str
    uom: str
    price: str
    quantities: tuple[int, int, int]  # from, to, step


STEEL = ("ST-DC01-", "ST-DX51-", "ST-S235-", "ST-FL-", "ST-L-", "ST-RB-")
METALS = ("AL-", "ST-DC01-", "ST-DX51-")
TUBES = ("ST-SQ-", "ST-RE-", "ST-RD-", "AL-SQ-", "AL-PR-")
GALVANISING = (Service("Hot-dip galvanising of welded frames and uprights", "kg", "0.68", (800, 4000, 100)),)
SHEET_WORK = (Service("Laser cutting and bending of sheet parts (subcontracting)", "Hour", "78.00", (8, 60, 1)),)
# What a supplier sells, by the trade in its name: products by SKU prefix, or services.
SUPPLIES: dict[str, tuple] = {
    "Staalhandel": STEEL, "Aciers": STEEL, "Stahlhandel": STEEL, "Metaalservice": METALS, "Métaux": METALS,
    "Metallhandel": METALS, "Buizenhandel": TUBES, "Tubes et Profilés": TUBES, "Rohrhandel": TUBES,
    "Bevestigingstechniek": ("FX-",), "Visserie": ("FX-",), "Schraubenwerk": ("FX-",),
    "Poedercoating": ("PC-", "PT-"), "Peintures Industrielles": ("PC-", "PT-"), "Pulverlacke": ("PC-", "PT-"),
    "Quincaillerie Industrielle": ("HW-", "WT-"), "Beschläge": ("HW-", "WT-"),
    "Wielen en Zwenkwielen": ("CA-",), "Roulettes": ("CA-",), "Rollen und Räder": ("CA-",),
    "Verzinkerij": GALVANISING, "Galvanisation": GALVANISING, "Verzinkerei": GALVANISING, "Plaatbewerking": SHEET_WORK,
}  # fmt: skip


def load_accounting_demo(company: Company, by: User, *, today: datetime.date | None = None) -> None:
    """`today` (by default the real date) decides the fiscal years: the opening balances are on the
    first day of the previous one, which is the year of activity; nothing is dated after `today`."""
    today = today or timezone.localdate()
    with transaction.atomic():
        chart_load(company, by=by)
        if company.country != "BE":
            return
        opening_day = _opening_day(company, today)
        if not JournalEntry.objects.filter(company=company, ref=OPENING_REF).exists():
            _load_opening_balances(company, by, opening_day)
        bank = Journal.objects.get(company=company, code="BNK1")
        if not bank.bank_iban:
            bank.bank_iban = COMPANY_IBAN
            journal_save(bank, by=by)
        # The year (with the products' default taxes) is loaded once: any invoice or statement means it is there.
        if not Invoice.objects.filter(company=company).exists() and not BankStatement.objects.filter(company=company).exists():
            _Year(company, by, bank, opening_day, today).load()


def _load_opening_balances(company: Company, by: User, day: datetime.date) -> None:
    accounts = {account.code: account for account in Account.objects.filter(company=company)}
    lines = [
        JournalLine(account=accounts[code], debit=Decimal(debit), credit=Decimal(credit))
        for code, debit, credit in OPENING_BALANCES
    ]
    lines += _open_items(company, accounts["400000"], OPEN_RECEIVABLES, customers=True)
    lines += _open_items(company, accounts["440000"], OPEN_PAYABLES, customers=False)
    entry = JournalEntry(
        company=company, journal=Journal.objects.get(company=company, code="MISC"), date=day,
        ref=OPENING_REF, narration="Opening balances taken over from the previous accounting package",
    )  # fmt: skip
    journal_entry_post(journal_entry_save(entry, lines, by=by), by=by)


def _open_items(company: Company, account: Account, amounts: tuple[str, ...], *, customers: bool) -> list[JournalLine]:
    partners = Partner.objects.filter(company=company, parent=None, **{"is_customer" if customers else "is_supplier": True})
    return [
        JournalLine(
            account=account, partner=partner, label="Opening balance",
            debit=Decimal(amount) if customers else Decimal(0), credit=Decimal(0) if customers else Decimal(amount),
        )
        for partner, amount in zip(partners.order_by("ref"), amounts, strict=False)
    ]  # fmt: skip


def _opening_day(company: Company, today: datetime.date) -> datetime.date:
    """The first day of the previous fiscal year: the demo has a year of history before this one."""
    this_year_start, _end = company.fiscal_year_of(today)
    return company.fiscal_year_of(this_year_start - datetime.timedelta(days=1))[0]


# --- a year of business --------------------------------------------------------------------------


@dataclass(eq=False)
class _Due:
    """A payment the plan makes: of an invoice (all that is left of it when `settles`), or of an
    opening-balance item."""

    day: datetime.date
    partner: Partner
    amount: Decimal
    invoice: Invoice | None = None
    item: JournalLine | None = None
    settles: bool = False


@dataclass
class _Transaction:
    day: datetime.date
    amount: Decimal  # + in, − out
    name: str
    iban: str = ""
    reference: str = ""  # the structured communication, 12 digits
    text: str = ""
    fee: bool = False


class _Year:
    """The year of activity from the opening day: documents, payments, and the last month's statement."""

    def __init__(self, company: Company, by: User, bank: Journal, start: datetime.date, today: datetime.date) -> None:
        self.company, self.by, self.bank = company, by, bank
        self.rng = Random(SEED)
        self.start = start
        self.end = min(today, company.fiscal_year_of(start)[1])
        self.statement_start = self.end.replace(day=1)
        self.accounts = {account.code: account for account in Account.objects.filter(company=company)}
        self.taxes = {tax.code: tax for tax in Tax.objects.filter(company=company)}
        self.units = {uom.name: uom for uom in Uom.objects.all()}
        self.journals = {journal.code: journal for journal in Journal.objects.filter(company=company)}
        self.defaults: dict[tuple, tuple[Account, list[Tax]]] = {}
        self.products: list[Product] = []
        self.unpaid: set[int] = set()  # customer invoices left unpaid on purpose
        self.partial: set[int] = set()  # and partly paid

    def load(self) -> None:
        self.products = self._product_taxes()
        invoices = self._customer_invoices()
        bills = self._vendor_bills()
        credited = self._post_in_date_order(invoices, bills)
        dues = self._opening_items() + self._customer_payments(invoices, credited) + self._supplier_payments(bills)
        later = []
        for due in sorted(dues, key=lambda due: due.day):
            if due.day < self.statement_start:
                self._pay(due)
            elif due.day <= self.end:
                later.append(due)
        self._statement(later)

    # --- products ---

    def _product_taxes(self) -> list[Product]:
        """Default taxes and accounts for the products that have none; returns the catalogue."""
        products = list(Product.objects.filter(company=self.company).select_related("category", "uom").order_by("sku"))
        done = set(ProductTaxes.objects.filter(company=self.company).values_list("product_id", flat=True))
        for product in products:
            rule = next((rule for rule in PRODUCT_ACCOUNTS if product.category.full_name.startswith(rule[0])), None)
            if product.pk in done or rule is None:
                continue
            _category, sale, income, purchase, expense = rule
            taxes = {
                "sale_taxes": [self.taxes[sale]] if sale else [],
                "purchase_taxes": [self.taxes[purchase]] if purchase else [],
            }
            record_save(
                ProductTaxes(company=self.company, product=product, income_account=self.accounts.get(income),
                             expense_account=self.accounts.get(expense)),
                by=self.by, m2m=taxes,
            )  # fmt: skip
        return products

    # --- documents ---

    def _days(self, count: int) -> list[datetime.date]:
        """`count` working days, as many in each month of the year, in order."""
        months: dict[tuple[int, int], list[datetime.date]] = defaultdict(list)
        for n in range((self.end - self.start).days + 1):
            day = self.start + datetime.timedelta(days=n)
            if day.weekday() < 5:
                months[day.year, day.month].append(day)
        days = []
        for n, month in enumerate(sorted(months)):
            share = count * (n + 1) // len(months) - count * n // len(months)
            days += sorted(self.rng.choice(months[month]) for _ in range(share))
        return days

    def _document(self, kind: str, partner: Partner, day: datetime.date, ref: str = "") -> Invoice:
        sale = kind == InvoiceKind.CUSTOMER_INVOICE
        invoice = Invoice(
            company=self.company, kind=kind, partner=partner, journal=self.journals["INV" if sale else "BILL"], date=day,
            currency=self.company.currency, ref=ref,
            payment_term=partner.customer_payment_term if sale else partner.supplier_payment_term,
        )  # fmt: skip
        invoice.fiscal_position = fiscal_position_for(self.company, partner)
        return invoice

    def _line(self, invoice: Invoice, product: Product, quantity: int, price: Decimal) -> DraftLine:
        key = (product.pk, invoice.fiscal_position_id, invoice.is_sale)
        if key not in self.defaults:
            self.defaults[key] = invoice_line_defaults(invoice, product)
        account, taxes = self.defaults[key]
        line = InvoiceLine(
            product=product, description=product.name, account=account, quantity=Decimal(quantity), uom=product.uom,
            price_unit=price,
        )  # fmt: skip
        return DraftLine(line, list(taxes))

    def _customer_invoices(self) -> list[tuple[Invoice, list[DraftLine]]]:
        rng = self.rng
        customers = list(Partner.objects.filter(company=self.company, parent=None, is_customer=True)
                         .select_related("customer_payment_term").order_by("ref"))  # fmt: skip
        weights = [rng.choice((1, 1, 2, 3, 5)) for _ in customers]
        sold = [product for product in self.products if product.can_be_sold and product.sku.startswith(SOLD)]
        pools = ([p for p in sold if not p.sku.startswith("SV-")], [p for p in sold if p.sku.startswith("SV-")])
        documents = []
        for day in self._days(CUSTOMER_INVOICES):
            partner = rng.choices(customers, weights)[0]
            ref = f"PO {rng.randint(4500010000, 4500099999)}" if rng.random() < 0.4 else ""
            invoice = self._document(InvoiceKind.CUSTOMER_INVOICE, partner, day, ref)
            chosen: list[Product] = []
            for _ in range(rng.randint(2, 6)):
                product = rng.choice(rng.choices(pools, (85, 15))[0])
                if product not in chosen:
                    chosen.append(product)
            lines = [self._line(invoice, product, _sale_quantity(rng, product), product.sale_price) for product in chosen]
            documents.append((invoice, lines))
        return documents

    def _vendor_bills(self) -> list[tuple[Invoice, list[DraftLine]]]:
        rng = self.rng
        suppliers = list(Partner.objects.filter(company=self.company, parent=None, is_supplier=True)
                         .select_related("supplier_payment_term").order_by("ref"))  # fmt: skip
        supplies = {s.pk: next((supply for trade, supply in SUPPLIES.items() if trade in s.name), STEEL) for s in suppliers}
        weights = [3 if supplies[s.pk] in (STEEL, TUBES, METALS) else 1 for s in suppliers]
        numbers = {supplier.pk: rng.randint(40, 900) for supplier in suppliers}
        documents = []
        for day in self._days(VENDOR_BILLS):
            supplier = rng.choices(suppliers, weights)[0]
            numbers[supplier.pk] += rng.randint(1, 60)
            bill = self._document(InvoiceKind.VENDOR_BILL, supplier, day, f"F{day.year}-{numbers[supplier.pk]:04d}")
            supply = supplies[supplier.pk]
            if isinstance(supply[0], Service):
                lines = [self._service_line(bill, service) for service in supply]
            else:
                products = [p for p in self.products if p.can_be_purchased and p.sku.startswith(supply)]
                chosen = sorted(set(rng.sample(products, rng.randint(1, min(4, len(products))))), key=lambda p: p.sku)
                lines = [self._line(bill, product, _purchase_quantity(rng, product), product.cost) for product in chosen]
            documents.append((bill, lines))
        return documents

    def _service_line(self, bill: Invoice, service: Service) -> DraftLine:
        first, last, step = service.quantities
        line = InvoiceLine(
            description=service.description, account=self.accounts["610000"], uom=self.units[service.uom],
            quantity=Decimal(self.rng.randrange(first, last + 1, step)), price_unit=Decimal(service.price),
        )  # fmt: skip
        return DraftLine(line, map_taxes([self.taxes["P21-S"]], bill.fiscal_position))

    def _post_in_date_order(self, invoices: list, bills: list) -> dict[int, Invoice]:
        """Post the invoices, bills and credit notes by date (replacing the drafts in the lists by
        the posted documents); returns the credit notes by the pk of the invoice they credit."""
        rng = self.rng
        single = [n for n, (invoice, _lines) in enumerate(invoices) if invoice.payment_term.lines.count() == 1]
        chosen = rng.sample(single[: len(single) * 3 // 4], FULL_CREDIT_NOTES + PARTIAL_CREDIT_NOTES)
        full = set(chosen[:FULL_CREDIT_NOTES])
        events = [(invoice.date, 0, n) for n, (invoice, _lines) in enumerate(invoices)]
        events += [(bill.date, 1, n) for n, (bill, _lines) in enumerate(bills)]
        events += [(invoices[n][0].date + datetime.timedelta(days=rng.randint(5, 20)), 2, n) for n in chosen]
        credited: dict[int, Invoice] = {}
        for day, kind, n in sorted(events):
            if kind == 2:
                credited[invoices[n][0].pk] = self._credit(invoices[n][0], day, full=n in full)
                continue
            documents = invoices if kind == 0 else bills
            draft, lines = documents[n]
            documents[n] = (invoice_post(invoice_save(draft, lines, by=self.by), by=self.by), lines)
        return credited

    def _credit(self, invoice: Invoice, day: datetime.date, *, full: bool) -> Invoice:
        """A credit note of the whole invoice, or of part of one line (goods returned), matched with it."""
        note = invoice_credit_note(invoice, by=self.by, on=day)
        if not full:
            line = note.lines.select_related("product").prefetch_related("taxes").order_by("-subtotal").first()
            line.quantity = max(Decimal(1), (line.quantity / 2).quantize(Decimal(1)))
            note.narration = f"Returned: {line.quantity.normalize():f} × {line.description}"
            note = invoice_save(note, [DraftLine(line, list(line.taxes.all()))], by=self.by)
        note = invoice_post(note, by=self.by)
        reconcile(open_lines(invoice) + open_lines(note), by=self.by)
        invoice.refresh_from_db()
        return note

    # --- payments ---

    def _opening_items(self) -> list[_Due]:
        """Customers pay and suppliers are paid the open items of the opening balances early in the year."""
        items = JournalLine.objects.filter(entry__company=self.company, entry__ref=OPENING_REF, partner__isnull=False)
        return [
            _Due(self._working(self.start + datetime.timedelta(days=self.rng.randint(10, 50))), item.partner,
                 item.debit or item.credit, item=item)
            for item in items.select_related("partner", "account").order_by("id")
        ]  # fmt: skip

    def _working(self, day: datetime.date) -> datetime.date:
        """The bank books on working days: a payment made on a weekend is booked the Monday after."""
        return day + datetime.timedelta(days=7 - day.weekday() if day.weekday() >= 5 else 0)

    def _paid_on(self, due: datetime.date) -> datetime.date:
        """Customers pay 0 to 20 days late; those who can pay within the statement's month do, so
        that the statement shows a month's usual payments."""
        low, high = 0, 20
        if self.statement_start - datetime.timedelta(days=20) <= due <= self.end:
            low = max(0, (self.statement_start - due).days)
            high = max(low, min(20, (self.end - due).days))
        day = due + datetime.timedelta(days=self.rng.randint(low, high))
        working = self._working(day)
        return working if working <= self.end or day > self.end else day - datetime.timedelta(days=day.weekday() - 4)

    def _instalments(self, documents: list[Invoice]) -> dict[int, list[tuple[datetime.date, Decimal]]]:
        lines = JournalLine.objects.filter(entry__in=[d.entry_id for d in documents], account__reconcile=True)
        by_entry = defaultdict(list)
        for entry_id, due, debit, credit in lines.order_by("date_maturity", "id").values_list(
            "entry_id", "date_maturity", "debit", "credit"
        ):
            by_entry[entry_id].append((due, debit + credit))
        return {document.pk: by_entry[document.entry_id] for document in documents}

    def _customer_payments(self, invoices: list, credited: dict[int, Invoice]) -> list[_Due]:
        rng = self.rng
        documents = [invoice for invoice, _lines in invoices]
        instalments = self._instalments(documents)
        simple = [i for i in documents if len(instalments[i.pk]) == 1 and i.pk not in credited]
        for first, last, count in UNPAID:
            overdue = [i for i in simple if first <= (self.end - i.due_date).days <= last and i.pk not in self.unpaid]
            self.unpaid |= {i.pk for i in rng.sample(overdue, min(count, len(overdue)))}
        late_enough = self.statement_start - datetime.timedelta(days=25)
        partial = [i for i in simple if i.due_date <= late_enough and i.pk not in self.unpaid]
        self.partial = {i.pk for i in rng.sample(partial, min(PARTIAL_PAYMENTS, len(partial)))}
        dues = []
        for invoice in documents:
            if invoice.pk in self.unpaid or invoice.amount_residual == 0:
                continue
            if invoice.pk in self.partial:
                share = Decimal(rng.randint(30, 70)) / 100
                day = self._paid_on(invoice.due_date)
                dues.append(_Due(day, invoice.partner, (invoice.amount_residual * share).quantize(Decimal(1)), invoice))
                continue
            schedule = instalments[invoice.pk] if invoice.pk not in credited else [(invoice.due_date, invoice.amount_residual)]
            for number, (due, amount) in enumerate(schedule, 1):
                day = self._paid_on(due)
                dues.append(_Due(day, invoice.partner, amount, invoice, settles=number == len(schedule)))
        return dues

    def _supplier_payments(self, bills: list) -> list[_Due]:
        dues = []
        for bill, _lines in bills:
            day = self._working(bill.due_date + datetime.timedelta(days=self.rng.randint(-5, 5)))
            dues.append(_Due(max(day, bill.date), bill.partner, bill.amount_total, bill, settles=True))
        return dues

    def _pay(self, due: _Due) -> None:
        if due.invoice is not None:
            payment_register([due.invoice], amount=due.amount, on=due.day, journal=self.bank, by=self.by)
            return
        inbound = due.item.debit > 0
        payment = Payment(
            company=self.company, direction=PaymentDirection.INBOUND if inbound else PaymentDirection.OUTBOUND,
            partner=due.partner, journal=self.bank, date=due.day, amount=due.amount, currency=self.company.currency,
            memo="Opening balance",
        )  # fmt: skip
        payment_post(payment, by=self.by)
        reconcile([due.item, *payment.entry.lines.filter(account__reconcile=True)], by=self.by)

    # --- the bank statement of the last month ---

    def _statement(self, dues: list[_Due]) -> None:
        """The month's statement: customer payments (by structured communication, or by IBAN and
        amount), a supplier payment, bank fees, and two payments for a person to reconcile: one less
        a discount, one a deposit. The month's other payments are not made. The statement opens
        with the bank account's balance in the books the day before."""
        rng = self.rng
        ibans = dict(PartnerBankAccount.objects.filter(company=self.company).values_list("partner_id", "iban"))
        received = [due for due in dues if due.invoice is not None and due.invoice.is_sale]
        settling = [due for due in received if due.settles]
        known = [due for due in settling if self._only_one(due)]
        by_iban = rng.sample(known, min(STATEMENT_BY_IBAN, len(known)))
        rest = [due for due in settling if due not in by_iban]
        short = rest.pop(rng.randrange(len(rest))) if rest else None
        transactions = [
            _Transaction(due.day, due.amount, due.partner.name, ibans.get(due.partner.pk, ""),
                         "" if due in by_iban else _digits(due.invoice.payment_reference))
            for due in sorted(by_iban + rest[:STATEMENT_BY_REFERENCE], key=lambda due: (due.day, due.invoice.pk))
        ]  # fmt: skip
        paid = next((due for due in dues if due.settles and not due.invoice.is_sale), None)
        if paid is not None:
            transactions.append(_Transaction(paid.day, -paid.amount, paid.partner.name, ibans.get(paid.partner.pk, ""),
                                             text=paid.invoice.ref))  # fmt: skip
        if short is not None:
            amount = short.amount - (short.amount * Decimal("0.02")).quantize(CENT)
            transactions.append(_Transaction(short.day, amount, short.partner.name, ibans.get(short.partner.pk, ""),
                                             _digits(short.invoice.payment_reference), "2% discount deducted"))  # fmt: skip
        deposit = next((due for due in received if not due.settles), None)
        if deposit is not None:
            transactions.append(_Transaction(deposit.day, deposit.amount, deposit.partner.name,
                                             ibans.get(deposit.partner.pk, ""), _digits(deposit.invoice.payment_reference),
                                             "Deposit 30%"))  # fmt: skip
        month = f"{self.end:%B %Y}"
        transactions += [
            _Transaction(self._working(self.statement_start), Decimal("-12.50"), BANK, text=f"Account fee {month}", fee=True),
            _Transaction(self.end, Decimal("-8.85"), BANK, text=f"Transfer and card fees {month}", fee=True),
        ]
        transactions.sort(key=lambda transaction: transaction.day)
        bank_account = self.bank.default_account
        before = movements(self.company, None, self.statement_start - datetime.timedelta(days=1))
        debit, credit = before.get(bank_account.pk, (ZERO, ZERO))
        identifier = f"{self.end.year}/{self.end.month:03d}"
        content = _camt(identifier, COMPANY_IBAN, debit - credit, self.statement_start, self.end, transactions)
        result = bank_statement_import(self.bank, content, filename=f"statement-{self.end:%Y-%m}.xml", by=self.by)
        statement = result.statements[0]
        bank_statement_auto_reconcile(statement, by=self.by)
        fees = {transaction.text for transaction in transactions if transaction.fee}
        for line in statement.lines.filter(state="open", communication__in=fees):
            bank_line_post(line, self.accounts[BANK_CHARGES], by=self.by)

    def _only_one(self, due: _Due) -> bool:
        """Whether the customer has no other open invoice of this amount: a transfer from its IBAN
        without communication then finds the invoice by the amount alone."""
        return not Invoice.objects.filter(
            company=self.company, partner=due.partner, kind=InvoiceKind.CUSTOMER_INVOICE, state="posted",
            amount_residual=due.amount,
        ).exclude(pk=due.invoice.pk).exclude(payment_state__in=("paid", "reversed")).exists()  # fmt: skip


def _sale_quantity(rng: Random, product: Product) -> int:
    if product.uom.name == "Hour":
        return rng.randint(2, 24)
    if product.uom.name == "Day":
        return rng.randint(1, 3)
    if product.sale_price < 100:
        return rng.randint(2, 20)
    return rng.randint(1, 10) if product.sale_price < 400 else rng.randint(1, 4)


def _purchase_quantity(rng: Random, product: Product) -> int:
    unit = product.uom.name
    if unit == "kg":
        return 25 * rng.randint(2, 16) if product.sku.startswith("PC-") else 50 * rng.randint(10, 60)
    if unit == "m":
        return 6 * rng.randint(10, 80)
    if unit == "L":
        return 5 * rng.randint(2, 12)
    if product.cost < Decimal("0.5"):
        return 100 * rng.randint(10, 100)
    return 10 * rng.randint(5, 40) if product.cost < 20 else rng.randint(4, 20)


def _digits(reference: str) -> str:
    return "".join(ch for ch in reference if ch.isdigit())


def _camt(
    identifier: str, iban: str, opening: Decimal, first: datetime.date, last: datetime.date, transactions: list[_Transaction]
) -> bytes:
    """A CAMT.053 statement (as a bank sends it) of the account, from `first` to `last`."""
    document = ET.Element("Document", xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02")
    root = ET.SubElement(document, "BkToCstmrStmt")
    header = ET.SubElement(root, "GrpHdr")
    _text(header, "MsgId", f"STMT{identifier.replace('/', '')}")
    _text(header, "CreDtTm", f"{last.isoformat()}T20:00:00")
    stmt = ET.SubElement(root, "Stmt")
    _text(stmt, "Id", identifier)
    _text(stmt, "ElctrncSeqNb", str(last.month))
    _text(stmt, "CreDtTm", f"{last.isoformat()}T20:00:00")
    account = ET.SubElement(stmt, "Acct")
    _text(ET.SubElement(account, "Id"), "IBAN", iban)
    _text(account, "Ccy", "EUR")
    closing = opening + sum((t.amount for t in transactions), ZERO)
    for code, amount, day in (("OPBD", opening, first), ("CLBD", closing, last)):
        balance = ET.SubElement(stmt, "Bal")
        _text(ET.SubElement(ET.SubElement(balance, "Tp"), "CdOrPrtry"), "Cd", code)
        _amount(balance, amount)
        _text(ET.SubElement(balance, "Dt"), "Dt", day.isoformat())
    for number, item in enumerate(transactions, 1):
        entry = ET.SubElement(stmt, "Ntry")
        _amount(entry, item.amount)
        _text(ET.SubElement(entry, "Sts"), "Cd", "BOOK")
        _text(ET.SubElement(entry, "BookgDt"), "Dt", item.day.isoformat())
        _text(ET.SubElement(entry, "ValDt"), "Dt", item.day.isoformat())
        _text(entry, "AcctSvcrRef", f"{last:%Y%m}{number:04d}")
        details = ET.SubElement(ET.SubElement(entry, "NtryDtls"), "TxDtls")
        incoming = item.amount > 0
        parties = ET.SubElement(details, "RltdPties")
        _text(ET.SubElement(parties, "Dbtr" if incoming else "Cdtr"), "Nm", item.name)
        if item.iban:
            _text(ET.SubElement(ET.SubElement(parties, "DbtrAcct" if incoming else "CdtrAcct"), "Id"), "IBAN", item.iban)
        remittance = ET.SubElement(details, "RmtInf")
        if item.text:
            _text(remittance, "Ustrd", item.text)
        if item.reference:
            _text(ET.SubElement(ET.SubElement(remittance, "Strd"), "CdtrRefInf"), "Ref", item.reference)
    return ET.tostring(document, encoding="utf-8", xml_declaration=True)


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = text
    return element


def _amount(parent: ET.Element, amount: Decimal) -> None:
    ET.SubElement(parent, "Amt", Ccy="EUR").text = f"{abs(amount):.2f}"
    _text(parent, "CdtDbtInd", "CRDT" if amount >= 0 else "DBIT")
