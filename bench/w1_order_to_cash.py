"""Benchmark W1 (../shared/BENCHMARKS.md): order to cash through the service layer.

Builds a throw-away PostgreSQL database (test_<name> beside the one DATABASE_URL names): a Belgian
company created through core's service (chart, journals, 21 % VAT as default sales tax, warehouse,
order numbering), a user with the Sales, Inventory and Accounting manager roles, 50 customers with
addresses, 200 stockable products (sale prices 10.00–100.00) and 1,000,000 units of each received
through the services in one receipt. One flow: a quotation for a random customer with 5 random
product lines (quantity 1–10) → confirm (delivery reserved) → validate the delivery → invoice the
order → post the invoice → register the full payment, reconciled. 20 warm-up flows, then 200 timed
flows in sequence in one process, 3 repetitions; SQL queries counted in flows of their own.

Targets (the issue): at least 50 flows per second and under 60 SQL queries per flow.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tessera_w1 .venv/bin/python bench/w1_order_to_cash.py
    ... bench/w1_order_to_cash.py --flows 50 --repetitions 1 --api-flows 20   # a quick run
"""

import argparse
import datetime
import random
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from _common import machine, throwaway_postgres, timed
from django.contrib.auth.models import Group
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from tessera.accounting.models import Invoice, Journal
from tessera.accounting.services import invoice_post, payment_register
from tessera.core.models import Company, Currency, Partner, Product, ProductCategory, Uom, User
from tessera.core.services import company_create, system_user
from tessera.inventory.models import ProductStock, Transfer, TransferKind, Warehouse
from tessera.inventory.services import MoveDraft, transfer_confirm, transfer_save, transfer_validate
from tessera.sales.models import SaleOrder
from tessera.sales.services import OrderLineDraft, sale_order_confirm, sale_order_invoice, sale_order_save
from tessera.sales.states import DeliveryStatus, InvoiceStatus

PRODUCTS, CUSTOMERS, LINES = 200, 50, 5
ON_HAND = Decimal(1_000_000)
WARM_UP, COUNTED = 20, 20
TARGET_FLOWS_PER_S, TARGET_QUERIES = 50.0, 60
STEPS = ("save", "confirm", "validate", "invoice", "post", "pay")


@dataclass(frozen=True)
class Shop:
    company: Company
    seller: User
    warehouse: Warehouse
    bank: Journal
    customers: list[Partner]
    products: list[Product]


# --- data ----------------------------------------------------------------------------------------


def build() -> Shop:
    company = company_create(
        Company(name="W1 Verkoop NV", country="BE", currency=Currency.objects.get(code="EUR"), vat="BE0477472701"),
        by=system_user(),
    )
    seller = User.objects.create(username="w1-seller", is_staff=True, current_company=company)
    seller.companies.add(company)
    seller.groups.add(*Group.objects.filter(name__in=("Sales / Manager", "Inventory / Manager", "Accounting / Manager")))
    category = ProductCategory.objects.create(company=company, name="Goods", full_name="Goods")
    unit = Uom.objects.get(name="Unit")
    products = Product.objects.bulk_create(
        Product(company=company, name=f"Article {n:03d}", sku=f"A{n:03d}", category=category, uom=unit, purchase_uom=unit,
                cost=Decimal(4 + n % 40), sale_price=Decimal(10 + n * 90 // (PRODUCTS - 1)))
        for n in range(PRODUCTS)
    )  # fmt: skip
    ProductStock.objects.bulk_create(ProductStock(company=company, product=product) for product in products)
    customers = Partner.objects.bulk_create(
        Partner(company=company, name=f"Klant {n:02d} BV", country="BE", street=f"Kerkstraat {n + 1}", zip="9000",
                city="Gent", is_customer=True)
        for n in range(CUSTOMERS)
    )  # fmt: skip
    warehouse = Warehouse.objects.select_related("stock_location").get(company=company)
    receipt = transfer_save(Transfer(company=company, kind=TransferKind.RECEIPT, warehouse=warehouse),
                            [MoveDraft(product, ON_HAND, unit_cost=product.cost) for product in products], by=seller)  # fmt: skip
    transfer_validate(transfer_confirm(receipt, by=seller), by=seller)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return Shop(company, seller, warehouse, Journal.objects.get(company=company, code="BNK1"), customers, products)


# --- one flow --------------------------------------------------------------------------------------


def order_lines(shop: Shop, rng: random.Random) -> tuple[Partner, list[tuple[Product, Decimal]]]:
    return rng.choice(shop.customers), [(product, Decimal(rng.randint(1, 10))) for product in rng.sample(shop.products, LINES)]


def service_flow(shop: Shop, rng: random.Random, step: Callable[[str, Callable[[], Any]], Any]) -> Invoice:
    """One order to cash through the services; `step` runs (and times or counts) each part."""
    customer, lines = order_lines(shop, rng)
    by = shop.seller
    drafts = [OrderLineDraft(product, quantity) for product, quantity in lines]
    order = step("save", lambda: sale_order_save(SaleOrder(company=shop.company, partner=customer), drafts, by=by))
    order = step("confirm", lambda: sale_order_confirm(order, by=by))
    step("validate", lambda: transfer_validate(order.transfers.get(), by=by))
    invoice = step("invoice", lambda: sale_order_invoice(order, by=by))
    invoice = step("post", lambda: invoice_post(invoice, by=by))
    step("pay", lambda: payment_register([invoice], amount=invoice.amount_total, on=timezone.localdate(), journal=shop.bank,
                                         by=by))  # fmt: skip
    return invoice


def run(_name: str, action: Callable[[], Any]) -> Any:
    return action()


def check(shop: Shop, invoice: Invoice) -> None:
    invoice.refresh_from_db()
    assert (invoice.payment_state, invoice.amount_residual) == ("paid", Decimal("0.00")), invoice
    order = invoice.sale_orders.get()
    assert (order.delivery_status, order.invoice_status) == (DeliveryStatus.FULL, InvoiceStatus.INVOICED), order


# --- measuring -----------------------------------------------------------------------------------


@dataclass
class StepClock:
    timings: dict[str, list[float]]

    def __call__(self, name: str, action: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = action()
        self.timings[name].append((time.perf_counter() - started) * 1000)
        return result


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure_services(shop: Shop, flows: int, repetitions: int, rng: random.Random) -> None:
    for _ in range(WARM_UP):
        check(shop, service_flow(shop, rng, run))
    print(f"\nservice layer: {WARM_UP} warm-up flows, then {repetitions} × {flows} timed flows")
    all_flows: list[float] = []
    clock = StepClock({name: [] for name in STEPS})
    for repetition in range(repetitions):
        timings = []
        started = time.perf_counter()
        for _ in range(flows):
            begun = time.perf_counter()
            invoice = service_flow(shop, rng, clock)
            timings.append((time.perf_counter() - begun) * 1000)
        elapsed = time.perf_counter() - started
        check(shop, invoice)
        all_flows += timings
        print(f"  repetition {repetition + 1}: {flows / elapsed:6.1f} flows/s   median {statistics.median(timings):6.1f} ms"
              f"   p95 {percentile(timings, 0.95):6.1f} ms")  # fmt: skip
    counts, shapes = count_queries(shop, rng)
    per_flow = sum(counts.values()) / COUNTED
    rate = 1000 / statistics.mean(all_flows)
    rate_verdict = "met" if rate >= TARGET_FLOWS_PER_S else "MISSED"
    queries_verdict = "met" if per_flow < TARGET_QUERIES else "MISSED"
    print(f"  all: {rate:.1f} flows/s (target ≥ {TARGET_FLOWS_PER_S:.0f} {rate_verdict}), "
          f"median {statistics.median(all_flows):.1f} ms, p95 {percentile(all_flows, 0.95):.1f} ms, "
          f"{per_flow:.1f} queries/flow (target < {TARGET_QUERIES} {queries_verdict})")  # fmt: skip
    print(f"\n  {'step':<10} {'median ms':>9} {'p95 ms':>8} {'mean ms':>8} {'queries':>8}")
    for name in STEPS:
        values = clock.timings[name]
        print(f"  {name:<10} {statistics.median(values):>9.1f} {percentile(values, 0.95):>8.1f} {statistics.mean(values):>8.1f} "
              f"{counts[name] / COUNTED:>8.1f}")  # fmt: skip
    print(f"\n  top query shapes per flow (over {COUNTED} counted flows):")
    for (kind, table), count in shapes.most_common(25):
        print(f"  {count / COUNTED:6.1f}  {kind:<8} {table}")


def count_queries(shop: Shop, rng: random.Random) -> tuple[Counter, Counter]:
    """Queries per step and per statement shape (verb and first table), over flows counted on their own."""
    counts: Counter = Counter()
    shapes: Counter = Counter()

    def step(name: str, action: Callable[[], Any]) -> Any:
        reset_queries()  # the log keeps 9,000 queries at most; past that the capture would count nothing
        with CaptureQueriesContext(connection) as captured:
            result = action()
        counts[name] += len(captured)
        shapes.update(shape(query["sql"]) for query in captured.captured_queries)
        return result

    for _ in range(COUNTED):
        service_flow(shop, rng, step)
    return counts, shapes


TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"?([a-z_]+)"?', re.IGNORECASE)


def shape(sql: str) -> tuple[str, str]:
    text = sql.lstrip()
    verb = text.split(None, 1)[0].upper()
    if verb == "SELECT" and "FOR UPDATE" in text:
        verb = "LOCK"
    if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK"):
        return "SAVEPOINT", ""
    found = TABLE.search(text)
    return verb, found.group(1) if found else text[:60]


# --- the same flow through the REST API ------------------------------------------------------------


def api_flow(shop: Shop, client: APIClient, rng: random.Random, clock: StepClock) -> int:
    customer, lines = order_lines(shop, rng)

    def post(name: str, url: str, body: dict, status: int) -> dict:
        response = clock(name, lambda: client.post(url, body, format="json"))
        assert response.status_code == status, (url, response.status_code, response.content[:500])
        return response.json()

    order = post("save", "/api/v1/sales/orders/", {"partner": customer.pk, "lines": [
        {"product": product.pk, "quantity": str(quantity)} for product, quantity in lines]}, 201)  # fmt: skip
    order = post("confirm", f"/api/v1/sales/orders/{order['id']}/confirm/", {}, 200)
    [delivery] = order["transfers"]
    post("validate", f"/api/v1/inventory/transfers/{delivery}/validate/", {}, 200)
    invoice = post("invoice", f"/api/v1/sales/orders/{order['id']}/invoice/", {}, 201)
    invoice = post("post", f"/api/v1/accounting/invoices/{invoice['id']}/post/", {}, 200)
    post("pay", f"/api/v1/accounting/invoices/{invoice['id']}/register-payment/",
         {"amount": invoice["amount_total"], "date": timezone.localdate().isoformat(), "journal": shop.bank.pk}, 201)  # fmt: skip
    return invoice["id"]


def measure_api(shop: Shop, flows: int, rng: random.Random) -> None:
    client = APIClient()
    client.force_authenticate(shop.seller)
    warm = StepClock({name: [] for name in STEPS})
    for _ in range(WARM_UP):
        api_flow(shop, client, rng, warm)
    clock = StepClock({name: [] for name in STEPS})
    timings = []
    started = time.perf_counter()
    for _ in range(flows):
        begun = time.perf_counter()
        invoice = api_flow(shop, client, rng, clock)
        timings.append((time.perf_counter() - begun) * 1000)
    elapsed = time.perf_counter() - started
    check(shop, Invoice.objects.get(pk=invoice))
    queries = 0
    for _ in range(COUNTED):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            api_flow(shop, client, rng, StepClock({name: [] for name in STEPS}))
        queries += len(captured)
    print(f"\nREST API in process (DRF's APIClient, no HTTP server, no gunicorn): {WARM_UP} warm-up flows, {flows} timed; "
          f"6 requests a flow")  # fmt: skip
    print(f"  {flows / elapsed:.1f} flows/s, median {statistics.median(timings):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms, "
          f"{queries / COUNTED:.1f} queries/flow")  # fmt: skip
    print(f"  {'request':<10} {'median ms':>9} {'p95 ms':>8}")
    for name in STEPS:
        print(f"  {name:<10} {statistics.median(clock.timings[name]):>9.1f} {percentile(clock.timings[name], 0.95):>8.1f}")


# --- main ----------------------------------------------------------------------------------------


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flows", type=int, default=200, help="timed flows per repetition")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--api-flows", type=int, default=200, help="timed flows through the REST API (0: skip)")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def main() -> None:
    args = arguments()
    rng = random.Random(args.seed)
    with throwaway_postgres("W1") as database:
        print(machine())
        print(f"database {database}; {datetime.date.today()}")
        shop = timed("set-up", build)
        measure_services(shop, args.flows, args.repetitions, rng)
        if args.api_flows:
            measure_api(shop, args.api_flows, rng)


if __name__ == "__main__":
    main()
