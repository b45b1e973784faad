"""Inventory reports: on hand, forecast, valuation at a date, move history, turnover and lot traceability.

They read quants (on hand), open moves (forecast) and valuation layers (value), aggregated in the
database, and never write. Every function is scoped to one company.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, F, Q, QuerySet, Sum, Value, When, Window
from django.utils import timezone

from tessera.accounting.models import Account
from tessera.accounting.queries import movements
from tessera.core.fields import AmountField, QuantityField
from tessera.core.models import Company, Product, ProductCategory

from .models import (
    STOCK_USAGES,
    CategoryValuation,
    Location,
    LocationUsage,
    Lot,
    Move,
    MoveLine,
    Quant,
    ValuationLayer,
    Warehouse,
)
from .services import category_valuation
from .states import OPEN_MOVE_STATES

ZERO = Decimal(0)
QUANTITY_PLACES = Decimal("0.000001")
AMOUNT_PLACES = Decimal("0.0001")
RATIO_PLACES = Decimal("0.01")


def _quantity(value: Decimal | None) -> Decimal:
    """A summed quantity as stored (SQLite adds NUMERIC columns as floating point)."""
    return (value or ZERO).quantize(QUANTITY_PLACES)


def _amount(value: Decimal | None) -> Decimal:
    return (value or ZERO).quantize(AMOUNT_PLACES)


def day_start(day: datetime.date) -> datetime.datetime:
    """The first instant of a day in the current time zone (moves and layers carry datetimes)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def day_end(day: datetime.date) -> datetime.datetime:
    """The first instant after a day: `date < day_end(day)` means "on or before that day"."""
    return day_start(day + datetime.timedelta(days=1))


def _categories_under(category: ProductCategory) -> Q:
    return Q(product__category=category) | Q(
        product__category__company_id=category.company_id, product__category__full_name__startswith=f"{category.full_name}/"
    )


# --- on hand ---------------------------------------------------------------------------------------


def on_hand(
    company: Company,
    *,
    location: Location | None = None,
    product: Product | None = None,
    lot: Lot | None = None,
    category: ProductCategory | None = None,
) -> QuerySet[Quant]:
    """Stock per product, location and lot: `quantity` (on hand), `reserved_quantity` and `available`.

    `location` includes the locations inside it; `category` its subcategories. Empty quants are left out."""
    quants = Quant.objects.filter(company=company).exclude(quantity=0, reserved_quantity=0)
    if location is not None:
        quants = quants.filter(location_id__in=Location.objects.under(location).values("pk"))
    if product is not None:
        quants = quants.filter(product=product)
    if lot is not None:
        quants = quants.filter(lot=lot)
    if category is not None:
        quants = quants.filter(_categories_under(category))
    return (
        quants.annotate(available=F("quantity") - F("reserved_quantity"))
        .select_related("product__uom", "location", "lot")
        .order_by("product__sku", "product__name", "product_id", "location__full_name", "lot__name", "id")
    )


def on_hand_by_product(
    location: Location, *, product: Product | None = None, category: ProductCategory | None = None
) -> QuerySet:
    """Stock per product over a location and the locations inside it, as rows (dicts) with
    `product`, `sku`, `name`, `uom`, `quantity`, `reserved` and `available`. Reads quants only."""
    quants = Quant.objects.filter(company_id=location.company_id, location_id__in=Location.objects.under(location).values("pk"))
    if product is not None:
        quants = quants.filter(product=product)
    if category is not None:
        quants = quants.filter(_categories_under(category))
    return (
        quants.order_by()
        .values("product", sku=F("product__sku"), name=F("product__name"), uom=F("product__uom__name"))
        .annotate(quantity=Sum("quantity"), reserved=Sum("reserved_quantity"))
        .annotate(available=F("quantity") - F("reserved"))
        .exclude(quantity=0, reserved=0)
        .order_by("sku", "name", "product")
    )


# --- forecast --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForecastLine:
    """An open move in or out of the location, and what the location will hold after it."""

    move_id: int
    date: datetime.datetime
    reference: str
    transfer_id: int | None
    partner: str
    incoming: Decimal
    outgoing: Decimal
    projected: Decimal


@dataclass(frozen=True)
class Forecast:
    product: Product
    on_hand: Decimal
    reserved: Decimal
    lines: list[ForecastLine]

    @property
    def incoming(self) -> Decimal:
        return sum((line.incoming for line in self.lines), ZERO)

    @property
    def outgoing(self) -> Decimal:
        return sum((line.outgoing for line in self.lines), ZERO)

    @property
    def forecast(self) -> Decimal:
        """On hand + incoming − outgoing. Reserved stock is part of the outgoing moves already."""
        return self.on_hand + self.incoming - self.outgoing


def _forecast_place(warehouse: Warehouse | None, location: Location | None) -> Location:
    if location is not None:
        return location
    if warehouse is None:
        raise ValueError("forecast needs a warehouse or a location")
    return warehouse.view_location


def _open_moves_across(company: Company, inside: QuerySet[Location], until: datetime.date | None) -> QuerySet[Move]:
    """Open moves that cross the boundary of `inside` (in or out; moves within it change nothing)."""
    entering = Q(destination_location_id__in=inside) & ~Q(source_location_id__in=inside)
    leaving = Q(source_location_id__in=inside) & ~Q(destination_location_id__in=inside)
    moves = Move.objects.filter(company=company, state__in=OPEN_MOVE_STATES).filter(entering | leaving)
    if until is not None:
        moves = moves.filter(date__lt=day_end(until))
    return moves


def forecast(
    company: Company,
    product: Product,
    *,
    warehouse: Warehouse | None = None,
    location: Location | None = None,
    until: datetime.date | None = None,
) -> Forecast:
    """What a warehouse (or a location and those inside it) holds now and will hold after each open
    move (waiting, partially reserved or reserved) of the product, in date order, up to `until`.

    projected = on hand + incoming − outgoing so far. Outgoing moves count in full: the part they
    reserved is on hand and shown as reserved, so it is not subtracted twice."""
    place = _forecast_place(warehouse, location)
    inside = Location.objects.under(place).values("pk")
    stock = Quant.objects.filter(company=company, product=product, location_id__in=inside).aggregate(
        quantity=Sum("quantity"), reserved=Sum("reserved_quantity")
    )
    on_hand_now = _quantity(stock["quantity"])
    signed = Case(
        When(destination_location_id__in=inside, then=F("product_quantity")),
        default=-F("product_quantity"),
        output_field=QuantityField(),
    )
    moves = (
        _open_moves_across(company, inside, until)
        .filter(product=product)
        .annotate(signed=signed, running=Window(Sum(signed), order_by=[F("date").asc(), F("id").asc()]))
        .values(
            "pk",
            "date",
            "reference",
            "transfer_id",
            "signed",
            "running",
            number=F("transfer__number"),
            partner=F("transfer__partner__name"),
        )
        .order_by("date", "id")
    )
    lines = [
        ForecastLine(
            move_id=row["pk"],
            date=row["date"],
            reference=row["number"] or row["reference"],
            transfer_id=row["transfer_id"],
            partner=row["partner"] or "",
            incoming=_quantity(max(row["signed"], ZERO)),
            outgoing=_quantity(max(-row["signed"], ZERO)),
            projected=_quantity(on_hand_now + row["running"]),
        )
        for row in moves
    ]
    return Forecast(product=product, on_hand=on_hand_now, reserved=_quantity(stock["reserved"]), lines=lines)


@dataclass(frozen=True)
class ForecastSummaryRow:
    product_id: int
    sku: str
    name: str
    on_hand: Decimal
    reserved: Decimal
    incoming: Decimal
    outgoing: Decimal

    @property
    def forecast(self) -> Decimal:
        return self.on_hand + self.incoming - self.outgoing


def forecast_summary(
    company: Company,
    *,
    warehouse: Warehouse | None = None,
    location: Location | None = None,
    until: datetime.date | None = None,
    product: Product | None = None,
    category: ProductCategory | None = None,
) -> list[ForecastSummaryRow]:
    """Per product: on hand, reserved, incoming and outgoing open moves (up to `until`) and the forecast,
    for every product with stock or open moves at the warehouse (or location)."""
    place = _forecast_place(warehouse, location)
    inside = Location.objects.under(place).values("pk")
    quants = Quant.objects.filter(company=company, location_id__in=inside)
    moves = _open_moves_across(company, inside, until)
    if product is not None:
        quants, moves = quants.filter(product=product), moves.filter(product=product)
    if category is not None:
        quants, moves = quants.filter(_categories_under(category)), moves.filter(_categories_under(category))
    figures: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in quants.order_by().values("product").annotate(q=Sum("quantity"), r=Sum("reserved_quantity")):
        figures[row["product"]].update(on_hand=row["q"], reserved=row["r"])
    incoming = Q(destination_location_id__in=inside)
    for row in (
        moves.order_by()
        .values("product")
        .annotate(i=Sum("product_quantity", filter=incoming), o=Sum("product_quantity", filter=~incoming))
    ):
        figures[row["product"]].update(incoming=row["i"], outgoing=row["o"])
    products = Product.objects.filter(pk__in=figures).order_by("sku", "name", "id").values_list("pk", "sku", "name")
    rows = []
    for pk, sku, name in products:
        values = {name: _quantity(figures[pk].get(name)) for name in ("on_hand", "reserved", "incoming", "outgoing")}
        if any(values.values()):
            rows.append(ForecastSummaryRow(product_id=pk, sku=sku, name=name, **values))
    return rows


# --- valuation -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValuationRow:
    product_id: int
    sku: str
    name: str
    category_id: int
    category: str
    quantity: Decimal
    value: Decimal

    @property
    def unit_cost(self) -> Decimal | None:
        return (self.value / self.quantity).quantize(QUANTITY_PLACES) if self.quantity else None


@dataclass(frozen=True)
class CategoryTotal:
    category_id: int
    category: str
    quantity: Decimal
    value: Decimal


@dataclass(frozen=True)
class AccountCheck:
    """A stock valuation account: the layers' value booked to it against its balance in the ledger."""

    account_id: int
    code: str
    name: str
    layers: Decimal
    balance: Decimal

    @property
    def difference(self) -> Decimal:
        return self.balance - self.layers


@dataclass(frozen=True)
class Valuation:
    day: datetime.date
    rows: list[ValuationRow]
    categories: list[CategoryTotal]
    accounts: list[AccountCheck]

    @property
    def total(self) -> Decimal:
        return sum((row.value for row in self.rows), ZERO)

    @property
    def reconciled(self) -> bool:
        return all(account.difference == 0 for account in self.accounts)


def valuation_at(company: Company, day: datetime.date, *, category: ProductCategory | None = None) -> Valuation:
    """The stock's quantity and value per product at the end of `day`: the sum of the valuation
    layers dated up to then; totals per category; and the reconciliation of every stock valuation
    account with its balance in the ledger on that day (posted lines dated up to `day`).

    The reconciliation always covers the whole company (an account's balance is not split by
    category): each category's layers count on its valuation account as set now, or on the default
    account when the category has no settings of its own. A manual entry on a stock account shows
    as a difference."""
    layers = ValuationLayer.objects.filter(company=company, date__lt=day_end(day))
    per_product = (
        layers.order_by()
        .values("product", "product__sku", "product__name", "product__category", "product__category__full_name")
        .annotate(quantity=Sum("quantity"), value=Sum("value"))
    )
    included = None if category is None else set(
        ProductCategory.objects.filter(company=company)
        .filter(Q(pk=category.pk) | Q(full_name__startswith=f"{category.full_name}/"))
        .values_list("pk", flat=True)
    )  # fmt: skip
    rows: list[ValuationRow] = []
    names: dict[int, str] = {}
    booked: dict[int, Decimal] = defaultdict(lambda: ZERO)  # value per category, all of them: for the reconciliation
    shown: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for row in per_product:
        quantity, value, category_id = _quantity(row["quantity"]), _amount(row["value"]), row["product__category"]
        names[category_id] = row["product__category__full_name"]
        booked[category_id] += value
        if (included is not None and category_id not in included) or not (quantity or value):
            continue
        shown[category_id][0] += quantity
        shown[category_id][1] += value
        rows.append(ValuationRow(row["product"], row["product__sku"], row["product__name"], category_id, names[category_id],
                                 quantity, value))  # fmt: skip
    rows.sort(key=lambda row: (row.category, row.sku, row.name, row.product_id))
    categories = [
        CategoryTotal(pk, names[pk], quantity, value)
        for pk, (quantity, value) in sorted(shown.items(), key=lambda item: names[item[0]])
    ]
    accounts = _reconcile(company, day, booked)
    return Valuation(day=day, rows=rows, categories=categories, accounts=accounts)


def _reconcile(company: Company, day: datetime.date, values: dict[int, Decimal]) -> list[AccountCheck]:
    account_of = dict(
        CategoryValuation.objects.filter(company=company, category_id__in=values).values_list("category_id", "valuation_account")
    )
    missing = ProductCategory.objects.filter(pk__in=set(values) - set(account_of))
    for each in missing:
        account_of[each.pk] = category_valuation(each).valuation_account_id
    layers: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for category_id, value in values.items():
        layers[account_of[category_id]] += value
    # Accounts configured but not used by any layer are checked too: something posted there is a difference.
    for account_id in CategoryValuation.objects.filter(company=company).values_list("valuation_account", flat=True):
        layers[account_id] += ZERO
    balances = movements(company, None, day)
    checks = []
    for account in Account.objects.filter(pk__in=layers).order_by("code"):
        debit, credit = balances.get(account.pk, (ZERO, ZERO))
        checks.append(AccountCheck(account.pk, account.code, account.name, layers[account.pk], _amount(debit - credit)))
    return checks


# --- move history ----------------------------------------------------------------------------------


def move_history(
    company: Company,
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    product: Product | None = None,
    location: Location | None = None,
    lot: Lot | None = None,
    reference: str = "",
) -> QuerySet[MoveLine]:
    """Done move lines, newest first. `location` matches lines from or to it or a location inside it;
    `reference` matches part of the move's reference or its transfer's number."""
    lines = MoveLine.objects.filter(company=company, done=True)
    if date_from is not None:
        lines = lines.filter(date__gte=day_start(date_from))
    if date_to is not None:
        lines = lines.filter(date__lt=day_end(date_to))
    if product is not None:
        lines = lines.filter(product=product)
    if lot is not None:
        lines = lines.filter(lot=lot)
    if location is not None:
        inside = Location.objects.under(location).values("pk")
        lines = lines.filter(Q(source_location_id__in=inside) | Q(destination_location_id__in=inside))
    if reference.strip():
        text = reference.strip()
        lines = lines.filter(Q(move__reference__icontains=text) | Q(move__transfer__number__icontains=text))
    return lines.select_related(
        "product__uom", "lot", "source_location", "destination_location", "move__transfer__partner"
    ).order_by("-date", "-id")


# --- turnover --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TurnoverRow:
    """Inventory turnover of a product or a category over a period.

    - cost of goods out: the value that left the stock in the period (deliveries, scrap, losses),
      i.e. minus the sum of the negative valuation layers dated in the period;
    - average stock: the mean of the stock value at the start (before the first day) and at the end
      (after the last day);
    - turnover = cost of goods out / average stock (None when the average stock is not positive);
    - days of inventory = days in the period / turnover (None when there is no turnover)."""

    key: int
    label: str
    opening_value: Decimal
    closing_value: Decimal
    cost_out: Decimal
    days: int

    @property
    def average_value(self) -> Decimal:
        return ((self.opening_value + self.closing_value) / 2).quantize(AMOUNT_PLACES, ROUND_HALF_UP)

    @property
    def turnover(self) -> Decimal | None:
        if self.average_value <= 0:
            return None
        return (self.cost_out / self.average_value).quantize(RATIO_PLACES, ROUND_HALF_UP)

    @property
    def days_of_inventory(self) -> Decimal | None:
        if self.average_value <= 0 or self.cost_out <= 0:
            return None
        return (self.days * self.average_value / self.cost_out).quantize(RATIO_PLACES, ROUND_HALF_UP)


def turnover(
    company: Company,
    date_from: datetime.date,
    date_to: datetime.date,
    *,
    group: str = "product",
    category: ProductCategory | None = None,
) -> list[TurnoverRow]:
    """Turnover and days of inventory per product (`group="product"`) or category (`"category"`)
    from `date_from` to `date_to` included; see TurnoverRow for the definitions. One aggregate query
    over the valuation layers up to the end of the period."""
    if group not in ("product", "category"):
        raise ValueError(f"unknown turnover group {group!r}")
    start, end = day_start(date_from), day_end(date_to)
    layers = ValuationLayer.objects.filter(company=company, date__lt=end)
    if category is not None:
        layers = layers.filter(_categories_under(category))
    if group == "product":
        keys = {"key": F("product"), "label": F("product__name"), "sku": F("product__sku")}
    else:
        keys = {"key": F("product__category"), "label": F("product__category__full_name"), "sku": Value("")}
    out = Q(date__gte=start, quantity__lt=0)
    rows = (
        layers.order_by()
        .values(**keys)
        .annotate(
            opening=Sum("value", filter=Q(date__lt=start), default=Value(ZERO), output_field=AmountField()),
            closing=Sum("value", default=Value(ZERO), output_field=AmountField()),
            out=Sum("value", filter=out, default=Value(ZERO), output_field=AmountField()),
        )
    )
    days = (date_to - date_from).days + 1
    result = [
        TurnoverRow(
            key=row["key"],
            label=f"[{row['sku']}] {row['label']}" if row["sku"] else row["label"],
            opening_value=_amount(row["opening"]),
            closing_value=_amount(row["closing"]),
            cost_out=-_amount(row["out"]),
            days=days,
        )
        for row in rows
    ]
    return sorted((row for row in result if row.opening_value or row.closing_value or row.cost_out), key=lambda r: r.label)


# --- lot traceability ------------------------------------------------------------------------------

# Where goods of a lot come from when they enter the stock: these are its origins (upstream).
ORIGIN_USAGES = frozenset({LocationUsage.SUPPLIER, LocationUsage.PRODUCTION, LocationUsage.INVENTORY})


@dataclass(frozen=True)
class TraceStep:
    """A done move line of the lot. Steps from a production location (upstream) and to one
    (downstream) are where manufacturing links produced lots to the lots they consumed, by move."""

    line_id: int
    move_id: int
    date: datetime.datetime
    quantity: Decimal
    source_id: int
    source: str
    source_usage: str
    destination_id: int
    destination: str
    destination_usage: str
    reference: str
    transfer_id: int | None
    partner: str


@dataclass(frozen=True)
class LotTrace:
    lot: Lot
    upstream: list[TraceStep]  # where the lot came from: receipts, production, found in counts
    downstream: list[TraceStep]  # every other done move of it, oldest first: internal, deliveries, scrap, returns
    on_hand: Decimal


def lot_trace(lot: Lot) -> LotTrace:
    """Where a lot came from and every place it went, from its done move lines in date order."""
    lines = (
        MoveLine.objects.filter(company_id=lot.company_id, lot=lot, done=True)
        .select_related("source_location", "destination_location", "move__transfer__partner")
        .order_by("date", "id")
    )
    upstream, downstream = [], []
    for line in lines:
        move, transfer = line.move, line.move.transfer
        reference = (transfer.number if transfer else "") or move.reference
        partner = str(transfer.partner) if transfer and transfer.partner_id else ""
        step = TraceStep(
            line_id=line.pk, move_id=move.pk, date=line.date, quantity=line.quantity, source_id=line.source_location_id,
            source=str(line.source_location), source_usage=line.source_location.usage,
            destination_id=line.destination_location_id, destination=str(line.destination_location),
            destination_usage=line.destination_location.usage, reference=reference,
            transfer_id=transfer.pk if transfer else None, partner=partner,
        )  # fmt: skip
        entering = step.source_usage in ORIGIN_USAGES and step.destination_usage in STOCK_USAGES
        (upstream if entering else downstream).append(step)
    quantity = Quant.objects.filter(lot=lot, location__usage__in=STOCK_USAGES).aggregate(q=Sum("quantity"))["q"]
    return LotTrace(lot=lot, upstream=upstream, downstream=downstream, on_hand=_quantity(quantity))
