"""Inventory demo data for the demo company: a second warehouse and bins, the products' stock settings
and category valuations, reordering rules, the opening stock on the accounting demo's opening day,
and that year of movements: supplier receipts, customer deliveries (one in two parts, one partly
returned, one waiting for goods made to order), a transfer to the second warehouse, a count with
differences and a scrap.

Registered with core's `demo` command; creates only what is missing. The opening stock and the year
of movements are loaded once, drawn from a Random with a fixed seed. The transfers are scheduled on
days of that year; the services date the moves (and their valuation entries) when they are done."""

import datetime
from collections.abc import Sequence
from decimal import Decimal
from random import Random

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from tessera.accounting.demo import OPENING_REF, SUPPLIES
from tessera.accounting.models import Account, JournalEntry
from tessera.core.models import Company, Partner, Product, ProductCategory, ProductType, User
from tessera.core.money import round_amount
from tessera.core.services import record_save
from tessera.core.uom import round_quantity

from .models import (
    CategoryValuation,
    CostMethod,
    Location,
    LocationUsage,
    ProcurementMethod,
    ProductStock,
    Quant,
    ReorderingRule,
    Scrap,
    Tracking,
    Transfer,
    TransferKind,
    Warehouse,
)
from .services import (
    Counted,
    DoneQuantity,
    MoveDraft,
    count_create,
    count_record,
    count_start,
    count_validate,
    location_save,
    scrap_validate,
    transfer_confirm,
    transfer_return,
    transfer_save,
    transfer_validate,
    virtual_location,
    warehouse_create,
)
from .services.moves import internal_locations_under

SEED = 2025
OPENING_STOCK = "Opening stock"
SUSPENSE = "499000"  # the opening balances debit it with the stock's value; the opening stock credits it
SECOND_WAREHOUSE = ("Ghent distribution centre", "GNT")
# Bins inside the warehouses' stock locations, with what goes in each (the first that matches a SKU).
BINS = {
    "WH": (
        ("A Sheet and plate", ("ST-DC01-", "ST-DX51-", "ST-S235-", "AL-5754-", "AL-TREAD-")),
        ("B Tubes and bars", ("ST-", "AL-")),
        ("C Components", ("HW-", "CA-", "FX-")),
        ("D Worktops", ("WT-",)),
        ("E Paint store", ("PC-", "PT-")),
        ("F Finished goods", ("SH-", "WB-", "CB-")),
    ),
    "GNT": (("Dock", ()), ("Aisle 1", ()), ("Aisle 2", ())),
}

RAW, GOODS, FINISHED = ("300000", "609000"), ("340000", "609400"), ("330000", "713000")  # stock, stock variation
VALUATIONS = {
    "Raw materials": (RAW, CostMethod.FIFO),
    "Raw materials / Steel": (RAW, CostMethod.FIFO),
    "Raw materials / Aluminium": (RAW, CostMethod.AVERAGE),
    "Components": (RAW, CostMethod.FIFO),
    "Components / Hardware": (RAW, CostMethod.FIFO),
    "Components / Worktops": (RAW, CostMethod.FIFO),
    "Components / Castors": (GOODS, CostMethod.FIFO),  # also sold on their own, as spare parts
    "Finished goods": (FINISHED, CostMethod.FIFO),
    "Finished goods / Shelving": (FINISHED, CostMethod.FIFO),
    "Finished goods / Workbenches": (FINISHED, CostMethod.FIFO),
    "Finished goods / Trolleys": (FINISHED, CostMethod.FIFO),
    "Finished goods / Cabinets": (FINISHED, CostMethod.FIFO),
}
# Opening stock worth exactly the opening balances' stock lines, per stock account.
OPENING_VALUES = {RAW[0]: Decimal("142000.00"), FINISHED[0]: Decimal("96000.00")}
# The last line of each opening group absorbs what is left to reach its value exactly (see _opening_lines),
# and how much of the value is left for it.
LAST_LINES = {RAW[0]: ("ST-DC01-1.5", Decimal(3000)), FINISHED[0]: ("SH-LVL-900-400", Decimal(1000))}

# Products the demo leaves alone: core's demo test deletes the trolleys to check that a second load
# completes a partial one, which their stock settings (audited) or moves (kept forever) would upset.
SKIPPED = ("TR-",)
LOT_TRACKED = ("ST-S235-", "PC-")  # plate by heat number (its mill certificate), powder by the maker's batch
EXPIRING = ("PC-",)
SERIAL_TRACKED = ("WB-HA-", "CB-FLAM")  # motorised benches and certified safety cabinets
MADE_TO_ORDER = ("WB-PACK-", "WB-HD-2000")
LEAD_DAYS = (("ST-", 10), ("AL-", 14), ("WT-", 21), ("PC-", 10), ("CA-", 7), ("HW-", 7), ("", 5))
# (SKU, minimum, maximum, multiple) at the main warehouse's stock location.
REORDERING = (
    ("ST-DC01-1.0", 1500, 4000, 500), ("ST-DC01-1.5", 1500, 4000, 500), ("ST-DX51-1.0", 1000, 3000, 500),
    ("ST-SQ-30x30x2", 180, 600, 6), ("ST-SQ-40x40x2", 180, 600, 6), ("ST-RE-40x20x2", 120, 480, 6),
    ("ST-L-40x40x4", 60, 240, 6), ("ST-FL-30x5", 60, 240, 6), ("AL-5754-2.0", 300, 900, 100),
    ("AL-SQ-25x25x2", 60, 240, 6),
)  # fmt: skip
COST_PLACES = Decimal("0.000001")
ZERO = Decimal(0)


def load_inventory_demo(company: Company, by: User) -> None:
    """Registered with core: adds what is missing to the demo company. The opening stock and the year
    of movements need the accounting demo's opening balances (a Belgian company)."""
    if company.country != "BE":
        return
    with transaction.atomic():
        main = Warehouse.objects.select_related("stock_location").get(company=company, code="WH")
        second = _second_warehouse(company, by)
        bins = _bins(company, by, {"WH": main, SECOND_WAREHOUSE[1]: second})
        opening = _opening_location(company, by)
        _category_valuations(company, by)
        _stock_settings(company, by)
        _reordering_rules(company, by, main)
        opening_day = JournalEntry.objects.filter(company=company, ref=OPENING_REF).values_list("date", flat=True).first()
        if opening_day is not None and not Transfer.objects.filter(company=company, source_location=opening).exists():
            _Year(company, by, opening_day, main, second, opening, bins).load()


# --- settings ---------------------------------------------------------------------------------------


def _second_warehouse(company: Company, by: User) -> Warehouse:
    name, code = SECOND_WAREHOUSE
    warehouse = Warehouse.objects.filter(company=company, code=code).select_related("stock_location").first()
    return warehouse or warehouse_create(Warehouse(company=company, name=name, code=code), by=by)


def _bins(company: Company, by: User, warehouses: dict[str, Warehouse]) -> dict[str, Location]:
    """The bins by their name, the main warehouse's first (their names differ)."""
    bins: dict[str, Location] = {}
    for code, warehouse in warehouses.items():
        stock = warehouse.stock_location
        existing = {location.name: location for location in Location.objects.filter(parent=stock)}
        for name, _prefixes in BINS[code]:
            bins[name] = existing.get(name) or location_save(Location(company=company, name=name, parent=stock), by=by)
    return bins


def _opening_location(company: Company, by: User) -> Location:
    """Where the opening stock comes from: booked against the suspense account, not a stock variation."""
    adjustment = virtual_location(company, LocationUsage.INVENTORY)
    existing = Location.objects.filter(company=company, name=OPENING_STOCK, usage=LocationUsage.INVENTORY).first()
    if existing is not None:
        return existing
    suspense = Account.objects.get(company=company, code=SUSPENSE)
    location = Location(
        company=company, name=OPENING_STOCK, parent=adjustment.parent, usage=LocationUsage.INVENTORY, valuation_account=suspense
    )
    return location_save(location, by=by)


def _category_valuations(company: Company, by: User) -> None:
    accounts = {account.code: account for account in Account.objects.filter(company=company)}
    valued = set(CategoryValuation.objects.filter(company=company).values_list("category_id", flat=True))
    for category in ProductCategory.objects.filter(company=company, full_name__in=VALUATIONS).order_by("full_name"):
        if category.pk in valued:
            continue
        (stock, variation), method = VALUATIONS[category.full_name]
        record_save(
            CategoryValuation(company=company, category=category, cost_method=method, valuation_account=accounts[stock],
                              input_account=accounts[variation], output_account=accounts[variation]),
            by=by,
        )  # fmt: skip


def _stock_settings(company: Company, by: User) -> None:
    """Stock settings for the stocked products (and the powder coatings, tracked by batch)."""
    done = set(ProductStock.objects.filter(company=company).values_list("product_id", flat=True))
    for product in _stocked(company):
        if product.pk in done:
            continue
        sku = product.sku
        tracking = Tracking.LOT if sku.startswith(LOT_TRACKED) else Tracking.NONE
        if sku.startswith(SERIAL_TRACKED):
            tracking = Tracking.SERIAL
        method = ProcurementMethod.MAKE_TO_ORDER if sku.startswith(MADE_TO_ORDER) else ProcurementMethod.MAKE_TO_STOCK
        lead_days = next(days for prefix, days in LEAD_DAYS if sku.startswith(prefix))
        record_save(
            ProductStock(company=company, product=product, tracking=tracking, use_expiry=sku.startswith(EXPIRING),
                         route="manual", procurement_method=method, lead_days=lead_days),
            by=by,
        )  # fmt: skip


def _stocked(company: Company) -> list[Product]:
    products = Product.objects.filter(company=company).select_related("category", "uom").order_by("sku")
    return [
        product for product in products
        if (product.type == ProductType.STOCKABLE or product.sku.startswith(EXPIRING)) and not product.sku.startswith(SKIPPED)
    ]  # fmt: skip


def _reordering_rules(company: Company, by: User, warehouse: Warehouse) -> None:
    products = {product.sku: product for product in Product.objects.filter(company=company, sku__in=[r[0] for r in REORDERING])}
    ruled = set(ReorderingRule.objects.filter(company=company, warehouse=warehouse).values_list("product__sku", flat=True))
    for sku, minimum, maximum, multiple in REORDERING:
        if sku in ruled or sku not in products:
            continue
        record_save(
            ReorderingRule(company=company, product=products[sku], warehouse=warehouse, location=warehouse.stock_location,
                           min_quantity=Decimal(minimum), max_quantity=Decimal(maximum), multiple=Decimal(multiple)),
            by=by,
        )  # fmt: skip


# --- the opening stock and a year of movements ------------------------------------------------------


class _Year:
    """The opening stock on the opening day, then the year's movements, month by month."""

    def __init__(
        self, company: Company, by: User, start: datetime.date, main: Warehouse, second: Warehouse, opening: Location,
        bins: dict[str, Location],
    ) -> None:  # fmt: skip
        self.company, self.by, self.start = company, by, start
        self.main, self.second, self.opening, self.bins = main, second, opening, bins
        self.rng = Random(SEED)
        self.products = _stocked(company)
        self.settings = {setting.product_id: setting for setting in ProductStock.objects.filter(company=company)}
        self.accounts = {category: accounts[0] for category, (accounts, _method) in VALUATIONS.items()}  # stock account
        partners = Partner.objects.filter(company=company, parent=None).order_by("ref")
        self.customers = list(partners.filter(is_customer=True))
        self.suppliers = [
            (supplier, products) for supplier in partners.filter(is_supplier=True) if (products := self._supplied_by(supplier))
        ]
        self.deliveries: list[tuple[int, Transfer]] = []  # (month, delivery) of the main warehouse

    def load(self) -> None:
        self._opening()
        backorder = None
        for month in range(2, 13):
            self._receipt(month, *self.rng.choice(self.suppliers))
            if month in (2, 8):  # castors are bought as needed: none at the opening
                self._receipt(month, *next(supply for supply in self.suppliers if "Roulettes" in supply[0].name))
            if month == 4:  # new batches of powder coating
                self._receipt(month, *next(supply for supply in self.suppliers if "Poedercoating" in supply[0].name))
            if month == 3:
                self._to_second_warehouse(month)
            for _n in range(2):
                self._delivery(self.main, month)
            if month >= 4:
                self._delivery(self.second, month)
            if month == 5:
                backorder = self._partial_delivery(month)
            if month == 6:
                if backorder is not None:  # the customer collects the rest
                    transfer_validate(backorder, by=self.by, when=self._mid(month))
                self._count(month)
            if month == 7:
                self._return(month)
            if month == 9:
                self._scrap()
            if month == 12:
                self._made_to_order(month)

    # --- helpers ---

    def _day(self, month: int) -> datetime.datetime:
        """A working day of the month, at nine."""
        date = datetime.date(self.start.year, month, self.rng.randint(1, 28))
        date += datetime.timedelta(days=7 - date.weekday() if date.weekday() >= 5 else 0)  # a weekend: the Monday
        return timezone.make_aware(datetime.datetime.combine(date, datetime.time(9)))

    def _mid(self, month: int) -> datetime.datetime:
        """The 15th of the month at nine, for events whose day does not matter."""
        return timezone.make_aware(datetime.datetime(self.start.year, month, 15, 9))

    def _at_opening(self, when: datetime.datetime) -> bool:
        return timezone.localdate(when) == self.start

    def _bin(self, product: Product) -> Location:
        return next(self.bins[name] for name, prefixes in BINS["WH"] if product.sku.startswith(prefixes))

    def _tracking(self, product: Product) -> str:
        setting = self.settings.get(product.pk)
        return setting.tracking if setting else Tracking.NONE

    def _supplied_by(self, supplier: Partner) -> list[Product]:
        prefixes = next((supplied for trade, supplied in SUPPLIES.items() if trade in supplier.name), ())
        prefixes = tuple(prefix for prefix in prefixes if isinstance(prefix, str))
        if not prefixes:
            return []
        products = Product.objects.filter(company=self.company, can_be_purchased=True).exclude(type=ProductType.SERVICE)
        return [
            product for product in products.select_related("category", "uom").order_by("sku")
            if product.sku.startswith(prefixes) and not product.sku.startswith(SKIPPED)
        ]  # fmt: skip

    def _free(self, warehouse: Warehouse) -> dict[int, Decimal]:
        """What is on hand and not reserved in the warehouse, by product."""
        quants = Quant.objects.filter(location_id__in=internal_locations_under(warehouse.stock_location))
        rows = quants.values("product_id").annotate(free=Sum(F("quantity") - F("reserved_quantity")))
        return {row["product_id"]: row["free"] for row in rows if row["free"] > 0}

    def _received(self, product: Product, quantity: Decimal, when: datetime.datetime) -> list[DoneQuantity]:
        """How a receipt's line is put away: in the product's bin, under new lots or serial numbers."""
        where, tracking, rng = self._bin(product), self._tracking(product), self.rng
        if tracking == Tracking.SERIAL:
            return [DoneQuantity(Decimal(1), f"{product.sku}-{n:05d}", location=where) for n in range(1, int(quantity) + 1)]
        if tracking == Tracking.NONE:
            return [DoneQuantity(quantity, location=where)]
        expiring = self.settings[product.pk].use_expiry
        # The opening stock is in two lots (in whole 25 kg), the older one expiring within the year; a receipt in one.
        first = (quantity / 50).to_integral_value() * 25
        parts = [first, quantity - first] if self._at_opening(when) and 0 < first < quantity else [quantity]
        items, months = [], rng.randint(3, 8)
        for part in parts:
            name = f"{product.sku[3:]}-{when:%y}{rng.randint(1000, 9999)}" if expiring else f"H{rng.randint(100000, 999999)}"
            expiry = _months_after(when.date(), months) if expiring else None
            items.append(DoneQuantity(part, name, expiry, location=where))
            months += rng.randint(9, 12)
        return items

    def _receive(self, transfer: Transfer, lines: Sequence[MoveDraft]) -> Transfer:
        transfer = transfer_confirm(transfer_save(transfer, lines, by=self.by), by=self.by)
        moves = transfer.moves.select_related("product").order_by("id")
        done = {move.pk: self._received(move.product, move.product_quantity, transfer.scheduled_date) for move in moves}
        transfer_validate(transfer, by=self.by, done=done, when=transfer.scheduled_date)
        return transfer

    def _deliver(self, warehouse: Warehouse, month: int, lines: Sequence[MoveDraft]) -> Transfer:
        """A confirmed delivery to a customer: the stock it needs is reserved."""
        partner = self.rng.choice(self.customers)
        delivery = Transfer(company=self.company, kind=TransferKind.DELIVERY, warehouse=warehouse, partner=partner,
                            scheduled_date=self._day(month), origin=f"Customer order {self.rng.randint(1000, 9999)}")  # fmt: skip
        return transfer_confirm(transfer_save(delivery, lines, by=self.by), by=self.by)

    # --- the opening stock ---

    def _opening(self) -> None:
        """The opening stock, received from the opening location into the main warehouse's bins: the
        raw materials and components (on 300000) and the finished goods (on 330000) each worth exactly
        their opening balance; the powder coatings (consumables, not valued) in two batches each."""
        lines = []
        for account, value in OPENING_VALUES.items():
            group = [
                product for product in self.products
                if self.accounts.get(product.category.full_name) == account and not product.sku.startswith(MADE_TO_ORDER)
            ]  # fmt: skip
            lines += self._opening_lines(group, value, *LAST_LINES[account])
        powders = [product for product in self.products if product.sku.startswith(EXPIRING)]
        lines += [MoveDraft(product, Decimal(25 * self.rng.randint(4, 16))) for product in powders]
        when = timezone.make_aware(datetime.datetime.combine(self.start, datetime.time(8)))
        self._receive(
            Transfer(company=self.company, kind=TransferKind.RECEIPT, warehouse=self.main, source_location=self.opening,
                     destination_location=self.main.stock_location, scheduled_date=when,
                     origin=OPENING_STOCK, note="Stock counted at the closing of the previous year."),
            lines,
        )  # fmt: skip

    def _opening_lines(self, products: list[Product], value: Decimal, last_sku: str, left_for_last: Decimal) -> list[MoveDraft]:
        """Quantities of `products` worth exactly `value` at their cost. Each line's quantity is what the
        products' share of the value buys, in whole steps, the rounding carried to the next line, which
        leaves about `left_for_last` for the last line. It absorbs the remainder: in kg to the gram at its
        cost (worth the remainder to the cent), or in units at the remainder's unit cost (cents off its cost)."""
        currency = self.company.currency
        last = next(product for product in products if product.sku == last_sku)
        wanted = [(product, _stock_quantity(self.rng, product)) for product in products if product is not last]
        scale = (value - left_for_last) / sum((quantity * product.cost for product, quantity in wanted), ZERO)
        lines, carried, total = [], ZERO, ZERO
        for product, quantity in wanted:
            step = _step(product)
            worth = quantity * scale * product.cost + carried
            quantity = max(step, (worth / (product.cost * step)).to_integral_value() * step)
            carried = worth - quantity * product.cost
            total += round_amount(quantity * product.cost, currency)
            lines.append(MoveDraft(product, quantity))
        left = value - total
        if last.uom.rounding < 1:
            lines.append(MoveDraft(last, round_quantity(left / last.cost, last.uom)))
        else:
            quantity = max(Decimal(1), (left / last.cost).to_integral_value())
            lines.append(MoveDraft(last, quantity, unit_cost=(left / quantity).quantize(COST_PLACES)))
        return lines

    # --- the year ---

    def _receipt(self, month: int, supplier: Partner, supplied: list[Product]) -> Transfer:
        """Goods from a supplier, at its price of the day (a few percent off the cost)."""
        rng = self.rng
        lines = [
            MoveDraft(product, _purchase_quantity(rng, product),
                      unit_cost=(product.cost * (100 + rng.randint(-3, 6)) / 100).quantize(Decimal("0.0001")))
            for product in sorted(rng.sample(supplied, min(len(supplied), rng.randint(2, 4))), key=lambda product: product.sku)
        ]  # fmt: skip
        receipt = Transfer(company=self.company, kind=TransferKind.RECEIPT, warehouse=self.main, partner=supplier,
                           scheduled_date=self._day(month), origin=f"Delivery note {rng.randint(10000, 99999)}")  # fmt: skip
        return self._receive(receipt, lines)

    def _sold(self, warehouse: Warehouse, count: int) -> list[MoveDraft]:
        """`count` lines of finished goods (or castors) the warehouse has free, in quantities it can deliver."""
        free = self._free(warehouse)
        sellable = [
            product for product in self.products
            if product.pk in free and product.can_be_sold and not product.sku.startswith(MADE_TO_ORDER)
        ]  # fmt: skip
        lines = []
        for product in sorted(self.rng.sample(sellable, min(count, len(sellable))), key=lambda product: product.sku):
            wanted = self.rng.randint(2, 12) if product.cost < 50 else self.rng.randint(1, 5) if product.cost < 200 else 1
            lines.append(MoveDraft(product, min(Decimal(wanted), free[product.pk])))
        return lines

    def _delivery(self, warehouse: Warehouse, month: int) -> None:
        lines = self._sold(warehouse, self.rng.randint(1, 3))
        if lines:
            delivery = self._deliver(warehouse, month, lines)
            transfer_validate(delivery, by=self.by, when=delivery.scheduled_date)
            if warehouse == self.main:
                self.deliveries.append((month, delivery))

    def _partial_delivery(self, month: int) -> Transfer | None:
        """A delivery the customer takes in two parts: part of its first line now, the rest (the backorder) later."""
        lines = self._sold(self.main, 4)
        lines = [line for line in lines if line.quantity >= 2 and self._tracking(line.product) == Tracking.NONE]
        if not lines:
            return None
        delivery = self._deliver(self.main, month, lines)
        first, *others = delivery.moves.order_by("id")
        done = {first.pk: [DoneQuantity(first.quantity - 1)], **{move.pk: [DoneQuantity(move.quantity)] for move in others}}
        return transfer_validate(delivery, by=self.by, done=done, when=delivery.scheduled_date).backorder

    def _to_second_warehouse(self, month: int) -> None:
        """A third of some finished goods go to the second warehouse, which delivers from then on."""
        free = self._free(self.main)
        products = [product for product in self.products if product.can_be_sold and free.get(product.pk, ZERO) >= 3]
        lines = [
            MoveDraft(product, (free[product.pk] / 3).to_integral_value())
            for product in sorted(self.rng.sample(products, min(8, len(products))), key=lambda product: product.sku)
        ]
        internal = Transfer(company=self.company, kind=TransferKind.INTERNAL, warehouse=self.main,
                            source_location=self.main.stock_location, destination_location=self.bins["Aisle 1"],
                            scheduled_date=self._day(month), origin="Stock for the Ghent distribution centre")  # fmt: skip
        transfer_validate(transfer_confirm(transfer_save(internal, lines, by=self.by), by=self.by), by=self.by,
                          when=internal.scheduled_date)  # fmt: skip

    def _count(self, month: int) -> None:
        """The half-year count of the components store: one item short, one more found than the books say."""
        count = count_create(self.bins["C Components"], by=self.by, day=datetime.date(self.start.year, month, 30),
                             note="Half-year count of the components store")  # fmt: skip
        count_start(count, by=self.by)
        lines = list(count.lines.select_related("product", "location", "lot").order_by("id"))
        short, found = self.rng.sample([line for line in lines if line.expected_quantity >= 20], 2)
        differences = {short.pk: -Decimal(self.rng.randint(3, 12)), found.pk: Decimal(self.rng.randint(1, 5))}
        counted = [
            Counted(line.product, line.expected_quantity + differences.get(line.pk, ZERO), line.location,
                    line.lot.name if line.lot_id else "")
            for line in lines
        ]  # fmt: skip
        count_record(count, counted, by=self.by)
        count_validate(count, by=self.by, when=timezone.make_aware(datetime.datetime.combine(count.date, datetime.time(17))))

    def _return(self, month: int) -> None:
        """A customer sends back one unit of last month's first delivery."""
        delivery = next(delivery for delivered, delivery in self.deliveries if delivered == month - 1)
        move = delivery.moves.order_by("id").first()
        back = transfer_return(delivery, by=self.by, quantities={move.pk: Decimal(1)})
        back.scheduled_date, back.note = self._day(month), "Wrong size ordered: one unit taken back."
        record_save(back, by=self.by)
        transfer_validate(back, by=self.by, when=back.scheduled_date)

    def _scrap(self) -> None:
        worktop = next(product for product in self.products if product.sku == "WT-BEECH-1500")
        scrap = Scrap(company=self.company, product=worktop, quantity=Decimal(1), uom=worktop.uom, location=self._bin(worktop),
                      reason="Damaged by a forklift truck")  # fmt: skip
        scrap_validate(scrap, by=self.by, when=self._mid(9))

    def _made_to_order(self, month: int) -> None:
        """An order for goods made to order: the delivery waits, and their need is listed for someone to fill."""
        products = [product for product in self.products if product.sku.startswith(MADE_TO_ORDER)]
        self._deliver(self.main, month, [MoveDraft(product, Decimal(self.rng.randint(1, 3))) for product in products])


def _stock_quantity(rng: Random, product: Product) -> Decimal:
    """A usual quantity in stock of the product, before it is scaled to the opening value."""
    if product.uom.name == "kg":
        return Decimal(50 * rng.randint(10, 80))
    if product.uom.name == "m":
        return Decimal(6 * rng.randint(10, 80))
    if product.cost < 1:
        return Decimal(100 * rng.randint(5, 50))
    if product.cost < 20:
        return Decimal(10 * rng.randint(3, 30))
    return Decimal(rng.randint(5, 30) if product.cost < 150 else rng.randint(2, 12))


def _step(product: Product) -> Decimal:
    """The quantities the product is stocked in: 50 kg, 6 m bars, boxes of 100 or 10, or units."""
    if product.uom.name == "kg":
        return Decimal(50)
    if product.uom.name == "m":
        return Decimal(6)
    return Decimal(100 if product.cost < 1 else 10 if product.cost < 20 else 1)


def _purchase_quantity(rng: Random, product: Product) -> Decimal:
    if product.uom.name == "kg":
        return Decimal(25 * rng.randint(2, 12) if product.sku.startswith("PC-") else 50 * rng.randint(10, 40))
    if product.uom.name == "m":
        return Decimal(6 * rng.randint(10, 60))
    if product.uom.name == "L":
        return Decimal(5 * rng.randint(2, 12))
    if product.cost < 1:
        return Decimal(100 * rng.randint(10, 50))
    return Decimal(10 * rng.randint(2, 20) if product.cost < 20 else rng.randint(4, 20))


def _months_after(day: datetime.date, months: int) -> datetime.date:
    """The last day of the month `months` after the day's."""
    index = day.month + months  # the month after that one, counted from January of the day's year as 0
    return datetime.date(day.year + index // 12, index % 12 + 1, 1) - datetime.timedelta(days=1)
