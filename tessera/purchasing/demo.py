"""Purchasing demo data for the demo company: supplier prices for every product the demo's suppliers sell
(one to three suppliers a product, quantity breaks, a framework agreement on cold-rolled sheet), then a
year of purchase orders up to today: RFQs saved at the suppliers' prices and confirmed by the demo buyer
(a purchasing manager, who approves those above the company's approval amount herself), received on
their day (some early, most on time, some late, some in two parts, one partly sent back, one not yet;
this morning's delivery received from its order), billed and matched (one bill priced above the
tolerance stays blocked, another is accepted by the buyer), most bills paid; the last weeks' RFQs still
open, and an order and an RFQ cancelled.

Registered with core's `demo` command, after the accounting, inventory and sales demos. The prices are
created when the company has none; the year is loaded once (the first order's supplier reference marks
it), drawn from a Random with a fixed seed. Its days run from the later of a year ago and the day after
the accounting demo's year (whose bank statement closes that year's books) up to today, never after it."""

import datetime
import heapq
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from itertools import count
from random import Random
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.accounting.demo import OPENING_REF, SUPPLIES
from tessera.accounting.models import Invoice, InvoiceKind, InvoiceLine, Journal, JournalEntry
from tessera.accounting.services import DraftLine, account_for_role, invoice_post, invoice_save, payment_register
from tessera.accounting.states import InvoiceState
from tessera.core.models import Company, Partner, PartnerBankAccount, Product, ProductType, User
from tessera.core.scoping import is_company_allowed
from tessera.core.services import record_save
from tessera.core.uom import round_quantity
from tessera.inventory.demo import BINS, LEAD_DAYS
from tessera.inventory.models import Location, Move, ProductStock, Tracking, Transfer, TransferKind, Warehouse
from tessera.inventory.services import DoneQuantity, transfer_return, transfer_validate
from tessera.inventory.states import OPEN_MOVE_STATES, MoveState, TransferState

from .models import BillMatch, LandedCost, PurchaseOrder, SupplierPrice
from .queries import Scope, expected_lines
from .services import (
    PurchaseLineDraft,
    bill_match_accept,
    bills_due,
    landed_cost_post,
    landed_cost_save,
    payment_run_create,
    purchase_order_bill,
    purchase_order_cancel,
    purchase_order_confirm,
    purchase_order_mark_sent,
    purchase_order_receive,
    purchase_order_save,
)
from .states import MatchState

SEED = 2027
MARKER = "DEMO-PURCHASING"  # the supplier's reference of the first demo order
ORDERS_A_MONTH = 3
CENT = Decimal("0.01")
ZERO = Decimal(0)
# The framework agreement: what is called off, how much is committed over its year, and how much below the plain price.
AGREEMENT_SKU, AGREEMENT_QUANTITY, AGREEMENT_DISCOUNT = "ST-DC01-1.0", Decimal(60), Decimal("0.92")
# Quantity breaks, in the supplier's unit (by its name): from how much the price is 5 % lower.
BREAKS = {"t": 5, "kg": 500, "m": 300, "L": 50, "Box of 100": 20, "Pair": 30}
BREAK_DISCOUNT = Decimal("0.95")
MILLS = ("Staalhandel", "Aciers", "Stahlhandel", "Metaalservice", "Métaux", "Metallhandel", "Buizenhandel", "Rohrhandel")


def load_purchasing_demo(company: Company, by: User) -> None:
    """Registered with core: adds the supplier prices when there are none and the year of orders once.
    Both need the accounting demo's opening balances and the inventory demo's main warehouse."""
    if company.country != "BE":
        return
    opening_day = JournalEntry.objects.filter(company=company, ref=OPENING_REF).values_list("date", flat=True).first()
    warehouse = Warehouse.objects.select_related("stock_location").filter(company=company, code="WH").first()
    if opening_day is None or warehouse is None:
        return
    today = timezone.localdate()
    start = max(company.fiscal_year_of(opening_day)[1] + datetime.timedelta(days=1), today - datetime.timedelta(days=365))
    with transaction.atomic():
        if not SupplierPrice.objects.filter(company=company).exists():
            _supplier_prices(company, by, start)
        if start <= today and not PurchaseOrder.objects.filter(company=company, partner_ref=MARKER).exists():
            _Year(company, by, warehouse, start, today).load()


# --- supplier prices --------------------------------------------------------------------------------


def _supplies(company: Company) -> dict[Partner, list[Product]]:
    """The demo's suppliers with the products they sell (by the trade in their name), in the order of their references."""
    products = list(
        Product.objects.filter(company=company, can_be_purchased=True, active=True)
        .exclude(type=ProductType.SERVICE)
        .select_related("uom", "purchase_uom")
        .order_by("sku")
    )
    supplies = {}
    for supplier in Partner.objects.filter(company=company, parent=None, is_supplier=True, active=True).order_by("ref"):
        prefixes = next((supplied for trade, supplied in SUPPLIES.items() if trade in supplier.name), ())
        prefixes = tuple(prefix for prefix in prefixes if isinstance(prefix, str))
        sold = [product for product in products if prefixes and product.sku.startswith(prefixes)]
        if sold:
            supplies[supplier] = sold
    return supplies


def _supplier_prices(company: Company, by: User, start: datetime.date) -> None:
    """Each product from one supplier, a third of them from two or three; a quantity break on some; and
    a framework agreement for a year on the sheet the workshop uses most, with the first mill that sells it."""
    rng = Random(SEED)
    sellers: dict[Product, list[Partner]] = {}
    for supplier, products in _supplies(company).items():
        for product in products:
            sellers.setdefault(product, []).append(supplier)
    agreement_done = False
    for product in sorted(sellers, key=lambda product: product.sku):
        candidates = sellers[product]
        how_many = min(len(candidates), 1 + (rng.random() < 0.35) + (rng.random() < 0.15))
        chosen = sorted(rng.sample(candidates, how_many), key=lambda partner: partner.ref)
        unit = product.purchase_uom or product.uom
        per_unit = product.cost * unit.ratio / product.uom.ratio
        lead = next(days for prefix, days in LEAD_DAYS if product.sku.startswith(prefix))
        for supplier in chosen:
            price = SupplierPrice(
                company=company, product=product, partner=supplier, supplier_code=f"{rng.randint(100000, 999999)}",
                price=(per_unit * rng.randint(95, 108) / 100).quantize(CENT), currency=company.currency, uom=unit,
                lead_days=max(1, lead + rng.randint(-3, 4)),
            )  # fmt: skip
            record_save(price, by=by)
            if product.sku == AGREEMENT_SKU and not agreement_done:
                agreement_done = True
                agreement = SupplierPrice(
                    company=company, product=product, partner=supplier, supplier_code=price.supplier_code,
                    supplier_name="Raamcontract koudgewalste plaat", price=(price.price * AGREEMENT_DISCOUNT).quantize(CENT),
                    currency=company.currency, uom=unit, lead_days=price.lead_days, date_start=start,
                    date_end=start + datetime.timedelta(days=364), committed_quantity=AGREEMENT_QUANTITY, priority=5,
                )  # fmt: skip
                record_save(agreement, by=by)
            elif unit.name in BREAKS and rng.random() < 0.3:
                record_save(
                    SupplierPrice(company=company, product=product, partner=supplier, supplier_code=price.supplier_code,
                                  min_quantity=Decimal(BREAKS[unit.name]), price=(price.price * BREAK_DISCOUNT).quantize(CENT),
                                  currency=company.currency, uom=unit, lead_days=price.lead_days),
                    by=by,
                )  # fmt: skip


# --- a year of orders -------------------------------------------------------------------------------


@dataclass
class _Plan:
    """What happens to an order after it is confirmed."""

    order: PurchaseOrder
    partial: bool = False  # the first receipt brings only part of the first line; the rest follows
    overdue: bool = False  # the supplier has not delivered yet, weeks after the expected day
    surcharge: Decimal = ZERO  # % above the ordered price the supplier bills
    accepted: bool = False  # the buyer accepts that price
    returned: bool = False  # part of the first line goes back and is credited
    cancelled: bool = False  # the supplier cannot deliver: cancelled before the receipt


class _Year:
    """The year's events (orders placed, received, billed, paid) played in the order of their days, so
    that the numbers of orders, bills and entries follow the dates."""

    def __init__(self, company: Company, by: User, warehouse: Warehouse, start: datetime.date, today: datetime.date) -> None:
        self.company, self.by, self.warehouse, self.start, self.today = company, by, warehouse, start, today
        self.rng = Random(SEED)
        buyer = User.objects.filter(username="buyer").first()
        self.buyer = buyer if buyer and is_company_allowed(buyer, company.pk) else by
        self.bank = Journal.objects.get(company=company, code="BNK1")
        prices = SupplierPrice.objects.filter(company=company, partner__active=True).select_related("product", "uom", "partner")
        self.catalogue: dict[Partner, dict[Product, SupplierPrice]] = {}
        for price in prices.order_by("partner__ref", "product__sku", "min_quantity"):
            self.catalogue.setdefault(price.partner, {}).setdefault(price.product, price)
        self.suppliers = sorted(self.catalogue, key=lambda partner: partner.ref)
        self.weights = [3 if any(trade in supplier.name for trade in MILLS) else 1 for supplier in self.suppliers]
        agreement = prices.filter(committed_quantity__isnull=False).first()
        self.agreement = (agreement.partner, agreement.product) if agreement else None
        stock = {setting.product_id: setting for setting in ProductStock.objects.filter(company=company)}
        self.tracking = {pk: (setting.tracking, setting.use_expiry) for pk, setting in stock.items()}
        bins = {location.name: location for location in Location.objects.filter(parent=warehouse.stock_location)}
        self.bins = [(bins[name], prefixes) for name, prefixes in BINS["WH"] if name in bins]
        self.bill_numbers = {supplier.pk: self.rng.randint(100, 900) for supplier in self.suppliers}
        self.events: list[tuple[datetime.date, int, Callable[[datetime.date], None]]] = []
        self.plans: list[_Plan] = []
        self.sequence = count()

    def load(self) -> None:
        days = self._days()
        roles = self._roles(days)
        for n, day in enumerate(days):
            self._at(day, lambda on, n=n: self._place(n, on, roles.get(n, {})))
        self._recent_rfqs()
        while self.events:
            day, _n, action = heapq.heappop(self.events)
            action(day)
        self._this_morning()
        self._freight()
        self._payment_run()

    # --- the calendar ---

    def _at(self, day: datetime.date, action: Callable[[datetime.date], None]) -> None:
        """Play `action` on `day`; days after today do not come."""
        if day <= self.today:
            heapq.heappush(self.events, (day, next(self.sequence), action))

    def _days(self) -> list[datetime.date]:
        """Working days for the orders, as many in each month from the start, in order."""
        months: dict[tuple[int, int], list[datetime.date]] = {}
        for n in range((self.today - self.start).days + 1):
            day = self.start + datetime.timedelta(days=n)
            if day.weekday() < 5:
                months.setdefault((day.year, day.month), []).append(day)
        days = []
        for month in sorted(months):
            days += sorted(self.rng.sample(months[month], min(ORDERS_A_MONTH, len(months[month]))))
        return days

    @staticmethod
    def _working(day: datetime.date) -> datetime.date:
        return day + datetime.timedelta(days=7 - day.weekday() if day.weekday() >= 5 else 0)

    def _moment(self, day: datetime.date, hour: int) -> datetime.datetime:
        """That day at that hour, or now if that is later than now."""
        return min(timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour))), timezone.now())

    def _roles(self, days: list[datetime.date]) -> dict[int, dict[str, Any]]:
        """The orders whose story is told on purpose, by their position in the year: a quarter in, a bill above
        the tolerance that the buyer accepts; a third in, goods sent back; halfway, a bill that stays blocked;
        two thirds in, an order cancelled; the last one placed a month ago or more, not delivered yet; every
        seventh in two parts."""
        total = len(days)
        roles: dict[int, dict[str, Any]] = {n: {"partial": True} for n in range(3, total, 7)}
        roles[total // 4] = {"surcharge": Decimal(4), "accepted": True}
        roles[total // 3] = {"returned": True}
        roles[total // 2] = {"surcharge": Decimal(6)}
        roles[total * 2 // 3] = {"cancelled": True}
        month_ago = self.today - datetime.timedelta(days=30)
        overdue = max((n for n, day in enumerate(days) if day <= month_ago), default=None)
        if overdue is not None:
            roles[overdue] = {"overdue": True}
        return roles

    # --- ordering ---

    def _lines(self, supplier: Partner, call_off: bool) -> list[PurchaseLineDraft]:
        """One to four of the supplier's products (the agreement's product first on a call-off), in its units."""
        rng = self.rng
        offered = self.catalogue[supplier]
        products = sorted(rng.sample(sorted(offered, key=lambda p: p.sku), rng.randint(1, min(4, len(offered)))),
                          key=lambda product: product.sku)  # fmt: skip
        if call_off and self.agreement is not None:
            products = [self.agreement[1], *(product for product in products[:2] if product != self.agreement[1])]
        lines = []
        for product in products:
            unit = offered[product].uom
            quantity = Decimal(rng.randint(4, 8)) if call_off and product == products[0] else _quantity(rng, product, unit.name)
            lines.append(PurchaseLineDraft(product, quantity, uom=unit))
        return lines

    def _place(self, n: int, day: datetime.date, role: dict[str, Any]) -> None:
        """An RFQ at the supplier's prices, confirmed by the buyer the same day; what follows is scheduled."""
        rng = self.rng
        call_off = self.agreement is not None and n % 6 == 0
        supplier = self.agreement[0] if call_off and self.agreement else rng.choices(self.suppliers, self.weights)[0]
        reference = MARKER if n == 0 else f"AB{day:%y}-{rng.randint(1000, 9999)}"
        order = PurchaseOrder(company=self.company, partner=supplier, date_order=day, partner_ref=reference, buyer=self.buyer,
                              warehouse=self.warehouse)  # fmt: skip
        order = purchase_order_save(order, self._lines(supplier, call_off), by=self.buyer)
        purchase_order_confirm(order, by=self.buyer, when=self._moment(day, 11))
        plan = _Plan(order, **role)
        self.plans.append(plan)
        if plan.cancelled:
            self._at(self._working(day + datetime.timedelta(days=2)), lambda on: purchase_order_cancel(order, by=self.buyer))
            return
        if plan.overdue:
            return
        expected = min(order.lines.values_list("date_planned", flat=True))
        late = rng.choice((-3, -2, -1, 0, 0, 0, 0, 0, 0, 2, 4, 7))
        self._at(self._delivery_day(day, expected + datetime.timedelta(days=late)), lambda on: self._receive(plan, on))

    def _delivery_day(self, ordered: datetime.date, due: datetime.date) -> datetime.date:
        """Suppliers deliver on working days after the order's: on a weekend, the Friday before if that is after
        the order's day, else the Monday after."""
        day = max(due, ordered + datetime.timedelta(days=1))
        if day.weekday() < 5:
            return day
        friday = day - datetime.timedelta(days=day.weekday() - 4)
        return friday if friday > ordered else self._working(day)

    def _recent_rfqs(self) -> None:
        """The last weeks' requests for quotation: two drafts, one sent to the supplier, one cancelled."""
        for days_ago, then in ((12, purchase_order_cancel), (6, purchase_order_mark_sent), (3, None), (1, None)):
            day = max(self.start, self.today - datetime.timedelta(days=days_ago))
            self._at(day, lambda on, then=then: self._rfq(on, then))

    def _rfq(self, day: datetime.date, then: Callable[..., PurchaseOrder] | None) -> None:
        supplier = self.rng.choices(self.suppliers, self.weights)[0]
        order = PurchaseOrder(company=self.company, partner=supplier, date_order=day, buyer=self.buyer, warehouse=self.warehouse)
        order = purchase_order_save(order, self._lines(supplier, call_off=False), by=self.buyer)
        if then is not None:
            then(order, by=self.buyer)

    # --- receiving ---

    def _receive(self, plan: _Plan, day: datetime.date) -> None:
        """The goods come in on the day, put away in their bins (plate by heat number, powder by batch). On an
        order in two parts, the first receipt brings 60 % of the first line and the rest follows one to two weeks
        later, as its backorder."""
        order = plan.order
        receipts = order.transfers.filter(kind=TransferKind.RECEIPT)
        receipt = receipts.exclude(state__in=(TransferState.DONE, TransferState.CANCELLED)).order_by("id").first()
        moves = list(receipt.moves.filter(state__in=OPEN_MOVE_STATES).select_related("product", "uom").order_by("id"))
        done = {}
        for position, move in enumerate(moves):
            quantity = move.quantity
            if plan.partial and position == 0:
                quantity = round_quantity(move.quantity * Decimal("0.6"), move.uom)
            done[move.pk] = [self._put_away(move, quantity, day)]
        result = transfer_validate(receipt, by=self.by, done=done, when=self._moment(day, 10))
        if result.backorder is not None:
            plan.partial = False
            self._at(self._working(day + datetime.timedelta(days=self.rng.randint(7, 14))), lambda on: self._receive(plan, on))
        self._at(self._working(day + datetime.timedelta(days=self.rng.randint(0, 3))), lambda on: self._bill(plan, on))
        if plan.returned:
            plan.returned = False
            self._at(self._working(day + datetime.timedelta(days=4)), lambda on: self._return(plan, receipt, on))

    def _this_morning(self) -> None:
        """This morning's delivery, after the rest of today's events, received from its order without opening the
        receipt (purchase_order_receive, which receives now): all that the order expected first still expects, of
        an order not overdue whose goods have no lots; its bill has not come yet."""
        expected = expected_lines(self.company, Scope(), as_of=self.today)
        skipped = {plan.order.pk for plan in self.plans if plan.overdue}
        skipped |= {line.order_id for line in expected if self._by_lot(line.product_id)}
        first = next((line for line in expected if line.order_id not in skipped), None)
        if first is not None:
            purchase_order_receive(PurchaseOrder.objects.get(pk=first.order_id), by=self.by)

    def _freight(self) -> None:
        """The carrier's freight on the last receipt of the year, spread by value into the stock."""
        receipt = (
            Transfer.objects.filter(company=self.company, kind=TransferKind.RECEIPT, state=TransferState.DONE,
                                    purchase_orders__isnull=False)
            .order_by("-date_done", "-id").first()
        )  # fmt: skip
        if receipt is None:
            return
        freight = LandedCost(company=self.company, receipt=receipt, description=_("Freight"), amount=Decimal("185.00"),
                             account=account_for_role(self.company, "purchases"), date=self.today)  # fmt: skip
        landed_cost_post(landed_cost_save(freight, by=self.by), by=self.by)

    def _payment_run(self) -> None:
        """Today's payment run: the bills due by the end of next week, ready to send to the bank."""
        if not self.bank.bank_iban:
            return
        with_account = PartnerBankAccount.objects.filter(company=self.company).values("partner_id")
        due = list(bills_due(self.company, self.today + datetime.timedelta(days=7)).filter(partner__in=with_account))
        if due:
            payment_run_create(self.company, due, journal=self.bank, execution_date=self.today, by=self.by)

    def _by_lot(self, product_id: int) -> bool:
        return self.tracking.get(product_id, (Tracking.NONE, False))[0] != Tracking.NONE

    def _put_away(self, move: Move, quantity: Decimal, day: datetime.date) -> DoneQuantity:
        product = move.product
        where = next((location for location, prefixes in self.bins if prefixes and product.sku.startswith(prefixes)), None)
        tracking, expiring = self.tracking.get(product.pk, (Tracking.NONE, False))
        if tracking == Tracking.NONE:
            return DoneQuantity(quantity, location=where)
        if expiring:  # a batch of powder keeps a year
            return DoneQuantity(quantity, f"{product.sku[3:]}-{day:%y}{self.rng.randint(1000, 9999)}",
                                day + datetime.timedelta(days=365), location=where)  # fmt: skip
        return DoneQuantity(quantity, f"H{self.rng.randint(100000, 999999)}", location=where)

    def _return(self, plan: _Plan, receipt: Transfer, day: datetime.date) -> None:
        """A tenth of the first line (at least one unit) is found damaged and goes back; the supplier credits it."""
        move = receipt.moves.filter(state=MoveState.DONE).select_related("product__uom").order_by("id").first()
        quantity = max(round_quantity(move.product_quantity / 10, move.product.uom), move.product.uom.rounding)
        back = transfer_return(receipt, by=self.by, quantities={move.pk: quantity})
        back.note = "Damaged in transport: sent back for credit."
        record_save(back, by=self.by)
        transfer_validate(back, by=self.by, when=self._moment(day, 14))
        self._at(self._working(day + datetime.timedelta(days=2)), lambda on: self._bill(plan, on))

    # --- billing and paying ---

    def _bill(self, plan: _Plan, day: datetime.date) -> None:
        """The supplier's bill (or credit) for what came in (or went back) since the last one, posted and
        matched; one with a surcharge is billed above the order's price. Paid around its due date; a credit
        is deducted from the payment of the bill it corrects."""
        order = plan.order
        supplier = order.partner
        self.bill_numbers[supplier.pk] += self.rng.randint(1, 40)
        bill = purchase_order_bill(order, by=self.by, on=day, ref=f"{day.year}/{self.bill_numbers[supplier.pk]:05d}")
        if plan.surcharge:
            bill = invoice_save(bill, _surcharged(bill, plan.surcharge), by=self.by)
            plan.surcharge = ZERO
        bill = invoice_post(bill, by=self.by)
        if bill.is_refund:
            return
        match = BillMatch.objects.get(invoice=bill)
        if match.state == MatchState.BLOCKED and plan.accepted:
            self._at(self._working(day + datetime.timedelta(days=3)), lambda on: bill_match_accept(match, by=self.buyer))
        due = bill.due_date + datetime.timedelta(days=self.rng.randint(-4, 3))
        self._at(self._working(max(due, day)), lambda on: self._pay(plan, bill, on))

    def _pay(self, plan: _Plan, bill: Invoice, day: datetime.date) -> None:
        """Pay the bill with the order's credits deducted, unless it is blocked."""
        refunds = plan.order.invoices.filter(kind=InvoiceKind.VENDOR_REFUND, state=InvoiceState.POSTED, amount_residual__gt=0)
        documents = [Invoice.objects.get(pk=bill.pk), *refunds]
        if documents[0].payment_hold or documents[0].amount_residual == 0:
            return
        amount = documents[0].amount_residual - sum((refund.amount_residual for refund in documents[1:]), ZERO)
        payment_register(documents, amount=amount, on=day, journal=self.bank, by=self.by)


def _surcharged(bill: Invoice, percent: Decimal) -> list[DraftLine]:
    """The bill's lines, the first priced `percent` % above the order."""
    drafts = []
    for position, line in enumerate(bill.lines.prefetch_related("taxes").order_by("position", "id")):
        price = (line.price_unit * (100 + percent) / 100).quantize(CENT) if position == 0 else line.price_unit
        copy = InvoiceLine(product=line.product, description=line.description, account=line.account, quantity=line.quantity,
                           uom=line.uom, price_unit=price, discount=line.discount)  # fmt: skip
        drafts.append(DraftLine(copy, list(line.taxes.all())))
    return drafts


def _quantity(rng: Random, product: Product, unit: str) -> Decimal:
    """A usual order of the product, in the supplier's unit."""
    if unit == "t":
        return Decimal(rng.randint(2, 12)) / 2
    if unit == "kg":
        return Decimal(25 * rng.randint(2, 12) if product.sku.startswith("PC-") else 50 * rng.randint(4, 30))
    if unit == "m":
        return Decimal(6 * rng.randint(10, 60))
    if unit == "L":
        return Decimal(5 * rng.randint(2, 12))
    if unit == "Box of 100":
        return Decimal(5 * rng.randint(1, 10))
    if unit == "Pair":
        return Decimal(10 * rng.randint(1, 6))
    return Decimal(10 * rng.randint(2, 10) if product.cost < 20 else rng.randint(4, 20))
