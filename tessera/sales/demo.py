"""Sales demo data for the demo company: a pipeline of opportunities (open in each stage, two won and
quoted, two lost for a reason) with their activities, and, early in the year after the inventory
demo's, ten confirmed orders on finished goods in stock: eight delivered, invoiced and posted, one
delivered in part (its backorder left open, the delivered part invoiced), one waiting to be delivered;
then one order with a 30 % down payment that its final invoice deducts, and one delivered, invoiced,
partly returned and credited.

Registered with core's `demo` command; loaded once (the first order's customer reference marks it),
drawn from a Random with a fixed seed. The orders, their deliveries and invoices are dated on days of
that year (never after today); the pipeline's dates are counted from today."""

import datetime
from decimal import Decimal
from random import Random

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from tessera.accounting.demo import OPENING_REF
from tessera.accounting.models import JournalEntry
from tessera.accounting.services import invoice_post
from tessera.core.models import Company, Partner, Product, User
from tessera.core.scoping import is_company_allowed
from tessera.core.services import record_save
from tessera.inventory.models import ProductStock, Quant, Tracking, Warehouse
from tessera.inventory.services import DoneQuantity, transfer_return, transfer_validate
from tessera.inventory.services.moves import internal_locations_under
from tessera.sales.demo_groups import load_customer_groups_demo

from .models import Activity, ActivityKind, InvoicePolicy, Lead, LostReason, SaleOrder, Stage
from .services import (
    OrderLineDraft,
    activity_done,
    activity_schedule,
    lead_convert,
    lead_save,
    opportunity_mark_lost,
    opportunity_mark_won,
    opportunity_move_stage,
    opportunity_quote,
    sale_order_confirm,
    sale_order_down_payment,
    sale_order_invoice,
    sale_order_save,
)

SEED = 2026
MARKER = "DEMO-SALES"  # the customer reference of the first demo order
FINISHED = ("SH-", "WB-", "CB-")
MADE_TO_ORDER = ("WB-PACK-", "WB-HD-2000")
LOST_REASONS = ("Too expensive", "Chose a competitor")
# (subject, stage reached, expected revenue, months to closing, outcome)
OPPORTUNITIES = (
    ("Warehouse shelving, new distribution hall", "New", 18500, 4, ""),
    ("Workshop benches for the apprentices' school", "New", 7200, 3, ""),
    ("Replacement cabinets, paint shop", "New", 3400, 2, ""),
    ("Archive shelving, town hall basement", "Qualified", 12600, 3, ""),
    ("Assembly line workbenches", "Qualified", 24800, 2, ""),
    ("Safety cabinets for the laboratory", "Qualified", 9300, 1, ""),
    ("Framework contract, shelving for 12 shops", "Proposition", 41000, 2, ""),
    ("Garage equipment, three branches", "Proposition", 15750, 1, ""),
    ("Workbenches for the maintenance team", "Proposition", 5600, 0, "won"),
    ("Shelving for the spare-parts store", "Qualified", 8900, 0, "won"),
    ("Tool cabinets, tender of the province", "Proposition", 21400, 0, "lost"),
    ("Mobile shelving for the hospital archive", "Qualified", 16300, 0, "lost"),
)  # fmt: skip
LEADS = (
    ("Shelving for a new bakery", "Bakkerij De Gouden Korst", "Els Maes"),
    ("Benches for a bike repair shop", "Velo Atelier", "Tom Peeters"),
)
# Days from today: the first two are overdue, the third was done last week.
ACTIVITIES = (
    (ActivityKind.CALL, "Call back about the budget", -5), (ActivityKind.EMAIL, "Send the product sheets", -2),
    (ActivityKind.MEETING, "Visit the site and measure up", -7), (ActivityKind.MEETING, "Present the layout proposal", 3),
    (ActivityKind.CALL, "Follow up on the quotation", 7), (ActivityKind.TODO, "Prepare the tender documents", 14),
)  # fmt: skip
ORDERS = 10  # the last two: delivered in part, and not delivered yet
ZERO = Decimal(0)


def load_sales_demo(company: Company, by: User) -> None:
    """Registered with core: loads the demo once, after the inventory demo's year of movements."""
    if company.country != "BE":
        return
    opening_day = JournalEntry.objects.filter(company=company, ref=OPENING_REF).values_list("date", flat=True).first()
    warehouse = Warehouse.objects.select_related("stock_location").filter(company=company, code="WH").first()
    if opening_day is None or warehouse is None or SaleOrder.objects.filter(company=company, client_order_ref=MARKER).exists():
        return
    with transaction.atomic():
        _Demo(company, by, warehouse, datetime.date(opening_day.year + 1, 1, 5)).load()


class _Demo:
    def __init__(self, company: Company, by: User, warehouse: Warehouse, start: datetime.date) -> None:
        self.company, self.by, self.warehouse, self.start = company, by, warehouse, start
        self.today = timezone.localdate()
        self.rng = Random(SEED)
        partners = Partner.objects.filter(company=company, parent=None, is_customer=True).order_by("ref")
        self.customers = [p for p in partners if p.street and p.city and p.zip and p.country]
        salesperson = User.objects.filter(username="sales").first()
        self.salesperson = salesperson if salesperson and is_company_allowed(salesperson, company.pk) else None
        self.free = self._free()
        self.products = self._products()

    def load(self) -> None:
        quoted = self._pipeline()
        for n in range(ORDERS):
            self._order(n)
        self._down_payment_order(ORDERS)
        self._returned_order(ORDERS + 1)
        for lead, lines in quoted:
            opportunity_quote(lead, lines, by=self.by)
        load_customer_groups_demo(self.company, self.by)

    # --- the pipeline ---

    def _pipeline(self) -> list[tuple[Lead, list[OrderLineDraft]]]:
        """The opportunities (converted from leads), two leads not yet qualified, the activities; the won
        opportunities with the lines to quote them by, after the orders (numbered in the order of their days)."""
        stages = {stage.name: stage for stage in Stage.objects.filter(company=self.company)}
        reasons = [self._lost_reason(name) for name in LOST_REASONS]
        customers = self.rng.sample(self.customers, len(OPPORTUNITIES))
        opportunities, quoted = [], []
        for (subject, stage, revenue, months, outcome), customer in zip(OPPORTUNITIES, customers, strict=True):
            lead = Lead(company=self.company, name=subject, salesperson=self.salesperson, expected_revenue=Decimal(revenue),
                        expected_closing=self._in_months(months))  # fmt: skip
            lead = lead_convert(lead_save(lead, by=self.by), by=self.by, partner=customer)
            if stages[stage].sequence > lead.stage.sequence:
                lead = opportunity_move_stage(lead, stages[stage], by=self.by)
            if outcome == "won":
                lead = opportunity_mark_won(lead, by=self.by)
                quoted.append((lead, self._lines(2)))
            elif outcome == "lost":
                lead = opportunity_mark_lost(lead, reasons.pop(0), by=self.by)
            else:
                opportunities.append(lead)
        for subject, company_name, contact in LEADS:
            lead_save(Lead(company=self.company, name=subject, company_name=company_name, contact_name=contact,
                           salesperson=self.salesperson), by=self.by)  # fmt: skip
        for (kind, summary, days), lead in zip(ACTIVITIES, opportunities[-len(ACTIVITIES) :], strict=True):
            activity = activity_schedule(Activity(company=self.company, lead=lead, kind=kind, summary=summary,
                                                  due_date=self.today + datetime.timedelta(days=days),
                                                  assigned_to=self.salesperson), by=self.by)  # fmt: skip
            if days == -7:
                activity_done(activity, by=self.by, on=activity.due_date)
        return quoted

    def _lost_reason(self, name: str) -> LostReason:
        existing = LostReason.objects.filter(company=self.company, name=name).first()
        return existing or record_save(LostReason(company=self.company, name=name), by=self.by)

    def _in_months(self, months: int) -> datetime.date | None:
        return self.today + datetime.timedelta(days=30 * months + 10) if months else None

    # --- the orders ---

    def _order(self, n: int) -> None:
        """Order n, placed every fourth day from the start, delivered two days later and invoiced then."""
        day = min(self.start + datetime.timedelta(days=4 * n), self.today)
        delivered_on = min(day + datetime.timedelta(days=2), self.today)
        partial, waiting = n == ORDERS - 2, n == ORDERS - 1
        order = SaleOrder(company=self.company, partner=self.rng.choice(self.customers), date_order=day,
                          client_order_ref=MARKER if n == 0 else f"PO {self.rng.randint(10000, 99999)}",
                          salesperson=self.salesperson, warehouse=self.warehouse, commitment_date=delivered_on,
                          invoice_policy=InvoicePolicy.DELIVERED if partial else InvoicePolicy.ORDERED)  # fmt: skip
        order = sale_order_save(order, self._lines(self.rng.randint(1, 3), partial=partial), by=self.by)
        order = sale_order_confirm(order, by=self.by, when=self._confirmed_at(day))  # promised for the day asked
        if waiting:
            return
        delivery = order.transfers.get()
        when = timezone.make_aware(datetime.datetime.combine(delivered_on, datetime.time(9)))
        done = None
        if partial:  # one unit of the first line waits in the backorder
            first, *others = delivery.moves.order_by("id")
            done = {first.pk: [DoneQuantity(first.quantity - 1)], **{move.pk: [DoneQuantity(move.quantity)] for move in others}}
        transfer_validate(delivery, by=self.by, done=done, when=when)
        invoice_post(sale_order_invoice(order, by=self.by, on=delivered_on), by=self.by)

    def _confirmed(self, n: int, policy: str) -> tuple[SaleOrder, datetime.date, datetime.date]:
        day = min(self.start + datetime.timedelta(days=4 * n), self.today)
        delivered_on = min(day + datetime.timedelta(days=2), self.today)
        order = SaleOrder(company=self.company, partner=self.rng.choice(self.customers), date_order=day,
                          client_order_ref=f"PO {self.rng.randint(10000, 99999)}", salesperson=self.salesperson,
                          warehouse=self.warehouse, commitment_date=delivered_on, invoice_policy=policy)  # fmt: skip
        order = sale_order_save(order, self._lines(2, partial=True), by=self.by)
        order = sale_order_confirm(order, by=self.by, when=self._confirmed_at(day))
        return order, day, delivered_on

    @staticmethod
    def _confirmed_at(day: datetime.date) -> datetime.datetime:
        """Confirmed at ten on the order's day, or now if that is later than now."""
        return min(timezone.make_aware(datetime.datetime.combine(day, datetime.time(10))), timezone.now())

    def _deliver(self, order: SaleOrder, on: datetime.date) -> None:
        moment = timezone.make_aware(datetime.datetime.combine(on, datetime.time(9)))
        transfer_validate(order.transfers.get(), by=self.by, when=moment)

    def _down_payment_order(self, n: int) -> None:
        """30 % paid in advance on the order's day; the final invoice, on delivery, deducts it."""
        order, day, delivered_on = self._confirmed(n, InvoicePolicy.ORDERED)
        invoice_post(sale_order_down_payment(order, by=self.by, percentage=Decimal(30), on=day), by=self.by)
        self._deliver(order, delivered_on)
        invoice_post(sale_order_invoice(order, by=self.by, on=delivered_on), by=self.by)

    def _returned_order(self, n: int) -> None:
        """Invoiced as delivered; one unit of the first line comes back the next day and is credited."""
        order, _day, delivered_on = self._confirmed(n, InvoicePolicy.DELIVERED)
        self._deliver(order, delivered_on)
        invoice_post(sale_order_invoice(order, by=self.by, on=delivered_on), by=self.by)
        delivery = order.transfers.get()
        first = delivery.moves.order_by("id").first()
        back = transfer_return(delivery, by=self.by, quantities={first.pk: Decimal(1)})
        returned_on = min(delivered_on + datetime.timedelta(days=1), self.today)
        transfer_validate(back, by=self.by, when=timezone.make_aware(datetime.datetime.combine(returned_on, datetime.time(11))))
        invoice_post(sale_order_invoice(order, by=self.by, on=returned_on), by=self.by)

    def _lines(self, count: int, *, partial: bool = False) -> list[OrderLineDraft]:
        """`count` lines of finished goods the main warehouse has free, taken from what is free."""
        sellable = [p for p in self.products if self.free.get(p.pk, ZERO) >= (2 if partial else 1)]
        lines = []
        for position, product in enumerate(sorted(self.rng.sample(sellable, count), key=lambda p: p.sku)):
            wanted = Decimal(self.rng.randint(2, 6) if product.sale_price < 300 else self.rng.randint(1, 2))
            quantity = min(max(wanted, Decimal(2) if partial and position == 0 else ZERO), self.free[product.pk])
            self.free[product.pk] -= quantity
            lines.append(OrderLineDraft(product, quantity))
        return lines

    def _free(self) -> dict[int, Decimal]:
        """What is on hand and not reserved in the main warehouse, by product."""
        quants = Quant.objects.filter(location_id__in=internal_locations_under(self.warehouse.stock_location))
        rows = quants.values("product_id").annotate(free=Sum(F("quantity") - F("reserved_quantity")))
        return {row["product_id"]: row["free"] for row in rows if row["free"] > 0}

    def _products(self) -> list[Product]:
        """The finished goods for sale, not tracked and not made to order."""
        tracked = ProductStock.objects.filter(company=self.company).exclude(tracking=Tracking.NONE).values("product_id")
        products = Product.objects.filter(company=self.company, can_be_sold=True, active=True, pk__in=list(self.free))
        return [
            product for product in products.exclude(pk__in=tracked).order_by("sku")
            if product.sku.startswith(FINISHED) and not product.sku.startswith(MADE_TO_ORDER)
        ]  # fmt: skip
