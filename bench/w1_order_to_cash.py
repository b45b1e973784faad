"""Benchmark W1 (../shared/BENCHMARKS.md): order to cash through the service layer.

Builds a throw-away PostgreSQL database (test_<name> beside the one DATABASE_URL names): a Belgian
company created through core's service (chart, journals, 21 % VAT as default sales tax, warehouse,
order numbering), a user with the Sales, Inventory and Accounting manager roles, 50 customers with
addresses, 200 stockable products (sale prices 10.00–100.00) and 1,000,000 units of each received
through the services in one receipt. One flow: a quotation for a random customer with 5 random
product lines (quantity 1–10) → confirm (delivery reserved) → validate the delivery → invoice the
order → post the invoice → register the full payment, reconciled. 20 warm-up flows, then 200 timed
flows in sequence in one process, 3 repetitions; SQL queries counted in flows of their own.

Then the same flow through the REST API, 6 requests a flow, measured two ways (both kept):
- in process with DRF's APIClient (--api-flows): no HTTP server; it gives the API's SQL queries per flow
  and its Python cost beside the service layer's;
- over real HTTP (--http-flows): gunicorn (2 sync workers, tessera.wsgi:application, the bench's settings
  module with DEBUG off) on a free port of 127.0.0.1, on the same throw-away database, authenticated
  with a personal API token; the client is the standard library's http.client (HTTP/1.1, keep-alive
  asked, but gunicorn's sync workers close the connection after each response, so http.client
  reconnects for every request: the figures include a loopback TCP connect per request). 20 warm-up
  flows, then the timed flows in sequence on one connection, then the same number with 2 client
  threads at once (each its own connection). gunicorn is stopped at the end, also on errors.

Targets (the issue): at least 50 flows per second and under 60 SQL queries per flow.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tessera_w1 .venv/bin/python bench/w1_order_to_cash.py
    ... bench/w1_order_to_cash.py --flows 50 --repetitions 1 --api-flows 20 --http-flows 50   # a quick run
    ... bench/w1_order_to_cash.py --api-flows 0 --http-flows 0   # the service layer only
"""

import argparse
import datetime
import http.client
import importlib.metadata
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from _common import machine, throwaway_postgres, timed
from django.contrib.auth.models import Group
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from tessera.accounting.models import Invoice, Journal
from tessera.accounting.services import invoice_post, payment_register
from tessera.core.models import Company, Currency, Partner, Product, ProductCategory, Uom, User
from tessera.core.services import api_token_create, company_create, system_user
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
ROOT = Path(__file__).resolve().parent.parent
GUNICORN_WORKERS, HTTP_THREADS = 2, 2


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


Send = Callable[[str, dict], tuple[int, bytes]]  # POST a JSON body to a path: (status, response body)


class RequestFailed(AssertionError):
    def __init__(self, step: str, url: str, status: int, content: bytes):
        super().__init__(url, status, content[:500])
        self.step, self.status = step, status


def api_flow(shop: Shop, send: Send, rng: random.Random, clock: StepClock) -> int:
    customer, lines = order_lines(shop, rng)

    def post(name: str, url: str, body: dict, status: int) -> dict:
        code, content = clock(name, lambda: send(url, body))
        if code != status:
            raise RequestFailed(name, url, code, content)
        return json.loads(content)

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


def client_send(client: APIClient) -> Send:
    def send(url: str, body: dict) -> tuple[int, bytes]:
        response = client.post(url, body, format="json")
        return response.status_code, response.content

    return send


def measure_api(shop: Shop, flows: int, rng: random.Random) -> None:
    client = APIClient()
    client.force_authenticate(shop.seller)
    send = client_send(client)
    warm = StepClock({name: [] for name in STEPS})
    for _ in range(WARM_UP):
        api_flow(shop, send, rng, warm)
    clock = StepClock({name: [] for name in STEPS})
    timings = []
    started = time.perf_counter()
    for _ in range(flows):
        begun = time.perf_counter()
        invoice = api_flow(shop, send, rng, clock)
        timings.append((time.perf_counter() - begun) * 1000)
    elapsed = time.perf_counter() - started
    check(shop, Invoice.objects.get(pk=invoice))
    queries = 0
    for _ in range(COUNTED):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            api_flow(shop, send, rng, StepClock({name: [] for name in STEPS}))
        queries += len(captured)
    print(f"\nREST API in process (DRF's APIClient, no HTTP server, no gunicorn): {WARM_UP} warm-up flows, {flows} timed; "
          f"6 requests a flow")  # fmt: skip
    print(f"  {flows / elapsed:.1f} flows/s, median {statistics.median(timings):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms, "
          f"{queries / COUNTED:.1f} queries/flow")  # fmt: skip
    print(f"  {'request':<10} {'median ms':>9} {'p95 ms':>8}")
    for name in STEPS:
        print(f"  {name:<10} {statistics.median(clock.timings[name]):>9.1f} {percentile(clock.timings[name], 0.95):>8.1f}")


# --- the same flow over HTTP, the server under gunicorn ---------------------------------------------


@dataclass
class HttpClient:
    """One http.client connection (HTTP/1.1, keep-alive asked) carrying a personal API token."""

    port: int
    key: str
    requests: int = 0
    closed_by_server: int = 0  # responses with `Connection: close`: the next request opens a new TCP connection
    connection: http.client.HTTPConnection = field(init=False)

    def __post_init__(self) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def send(self, url: str, body: dict) -> tuple[int, bytes]:
        headers = {"Authorization": f"Token {self.key}", "Content-Type": "application/json", "Accept": "application/json"}
        self.connection.request("POST", url, json.dumps(body).encode(), headers)
        response = self.connection.getresponse()
        content = response.read()
        self.requests += 1
        self.closed_by_server += response.will_close
        return response.status, content

    def close(self) -> None:
        self.connection.close()


def database_url(database: str) -> str:
    """DATABASE_URL with the throw-away database in place of the one it names."""
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{database}").geturl()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(database: str) -> Iterator[tuple[int, Path]]:
    """gunicorn serving tessera.wsgi on a free local port against `database`; stopped (TERM, then KILL) on leaving."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url(database), "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    command = [sys.executable, "-m", "gunicorn", "tessera.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(GUNICORN_WORKERS), "--worker-class", "sync", "--chdir", str(ROOT),
               "--timeout", "120", "--graceful-timeout", "5", "--error-logfile", "-"]  # fmt: skip
    with tempfile.TemporaryDirectory() as directory:
        log = Path(directory) / "gunicorn.log"
        # Appending, so that reading the log never moves where gunicorn writes. A session of its own: a Ctrl-C
        # on the bench does not reach it, and its workers can be killed as a group.
        with log.open("ab") as output:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            wait_until_ready(process, port)
            yield port, log
        except BaseException:
            print(f"gunicorn's log (last 4,000 characters):\n{log.read_text(errors='replace')[-4000:]}", file=sys.stderr)
            raise
        finally:
            stop(process)
            wait_for_disconnects(database)


def wait_until_ready(process: subprocess.Popen, port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {process.returncode} before answering")
        probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            probe.request("GET", "/health/")
            if probe.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            probe.close()
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer GET /health/ within {timeout:.0f} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()  # graceful: the master stops its workers
        try:
            process.wait(timeout=15)
            return
        except subprocess.TimeoutExpired:
            pass
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # the master and any worker left in its group
    process.wait()


def wait_for_disconnects(database: str, timeout: float = 10) -> None:
    """The workers' PostgreSQL sessions end just after they do; the database cannot be dropped before."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [database])
            if not cursor.fetchone()[0]:
                return
            time.sleep(0.1)


@dataclass
class HttpRun:
    flows: list[float] = field(default_factory=list)  # ms a completed flow
    clock: StepClock = field(default_factory=lambda: StepClock({name: [] for name in STEPS}))
    last_invoice: int = 0
    failed: Counter = field(default_factory=Counter)  # (step, status) of the request that ended a flow
    requests: int = 0  # sent in the completed flows

    def drive(self, shop: Shop, client: HttpClient, rng: random.Random, flows: int, tolerate: bool = False) -> None:
        """With `tolerate`, a refused request ends its flow, is counted, and the next flow starts."""
        for _ in range(flows):
            begun, sent = time.perf_counter(), client.requests
            try:
                self.last_invoice = api_flow(shop, client.send, rng, self.clock)
            except RequestFailed as failure:
                if not tolerate:
                    raise
                self.failed[failure.step, failure.status] += 1
                continue
            self.flows.append((time.perf_counter() - begun) * 1000)
            self.requests += client.requests - sent


def report_http(label: str, runs: list[HttpRun], clients: list[HttpClient], elapsed: float) -> None:
    flows = [ms for run in runs for ms in run.flows]
    steps = {name: [ms for run in runs for ms in run.clock.timings[name]] for name in STEPS}
    requests = [ms for values in steps.values() for ms in values]
    sent, closed = sum(client.requests for client in clients), sum(client.closed_by_server for client in clients)
    failed = sum((run.failed for run in runs), Counter())
    if not flows:
        print(f"  {label}: no flow completed; failures {dict(failed)}")
        return
    print(f"  {label}: {len(flows)} flows completed in {elapsed:.1f} s: {len(flows) / elapsed:.1f} flows/s, "
          f"{sent / elapsed:.1f} requests/s; {sum(run.requests for run in runs) / len(flows):.1f} requests a flow")  # fmt: skip
    if failed:
        print(
            f"    {sum(failed.values())} flows FAILED (left unfinished, not in the figures): "
            + ", ".join(f"{step} → HTTP {status} × {count}" for (step, status), count in sorted(failed.items()))
        )
    print(f"    per flow: median {statistics.median(flows):.1f} ms, p95 {percentile(flows, 0.95):.1f} ms; "
          f"per request: median {statistics.median(requests):.1f} ms, p95 {percentile(requests, 0.95):.1f} ms; "
          f"{closed} of {sent} responses closed the connection")  # fmt: skip
    print(f"    {'request':<10} {'median ms':>9} {'p95 ms':>8}")
    for name in STEPS:
        print(f"    {name:<10} {statistics.median(steps[name]):>9.1f} {percentile(steps[name], 0.95):>8.1f}")


def server_errors(log: Path, since: int) -> Counter:
    """The exceptions gunicorn's log recorded after offset `since`, by their last traceback line."""
    text = log.read_bytes()[since:].decode(errors="replace")
    return Counter(line.strip()[:160] for line in text.splitlines() if re.match(r"[\w.]+(Error|Exception): ", line))


def measure_http(shop: Shop, database: str, flows: int, rng: random.Random) -> None:
    _token, key = api_token_create(shop.seller, name="W1 bench", by=shop.seller)
    with gunicorn(database) as (port, log):
        print(f"\nREST API over HTTP: gunicorn {importlib.metadata.version('gunicorn')}, --workers {GUNICORN_WORKERS} "
              f"(sync) on 127.0.0.1:{port}, settings {os.environ['DJANGO_SETTINGS_MODULE']}, DEBUG off, token "
              f"authentication; client http.client; {WARM_UP} warm-up flows, then {flows} timed flows in sequence, "
              f"then {flows} with {HTTP_THREADS} client threads at once")  # fmt: skip
        print(f"  load before: {os.getloadavg()[0]:.1f}")
        client = HttpClient(port, key)
        try:
            HttpRun().drive(shop, client, rng, WARM_UP)
            client.requests = client.closed_by_server = 0
            run = HttpRun()
            started = time.perf_counter()
            run.drive(shop, client, rng, flows)
            elapsed = time.perf_counter() - started
        finally:
            client.close()
        check(shop, Invoice.objects.get(pk=run.last_invoice))
        report_http("1 client, sequential", [run], [client], elapsed)
        since = log.stat().st_size
        runs, clients, elapsed = concurrent_http(shop, port, key, flows, rng)
        for done in runs:
            if done.flows:
                check(shop, Invoice.objects.get(pk=done.last_invoice))
        report_http(f"{HTTP_THREADS} client threads at once, each its own connection", runs, clients, elapsed)
        for error, count in server_errors(log, since).most_common(5):
            print(f"    server log: {count} × {error}")
        print(f"  load after: {os.getloadavg()[0]:.1f}")


def concurrent_http(shop: Shop, port: int, key: str, flows: int, rng: random.Random) -> tuple[list[HttpRun], list, float]:
    """`flows` flows shared by HTTP_THREADS client threads started together; the elapsed time is the wall clock's."""
    clients = [HttpClient(port, key) for _ in range(HTTP_THREADS)]
    runs = [HttpRun() for _ in range(HTTP_THREADS)]
    rngs = [random.Random(rng.random()) for _ in range(HTTP_THREADS)]
    shares = [flows // HTTP_THREADS + (n < flows % HTTP_THREADS) for n in range(HTTP_THREADS)]
    start = threading.Barrier(HTTP_THREADS + 1)
    errors: list[BaseException] = []

    def work(n: int) -> None:  # no database access in here: the threads only speak HTTP
        start.wait()
        try:
            runs[n].drive(shop, clients[n], rngs[n], shares[n], tolerate=True)
        except BaseException as error:  # noqa: BLE001 - re-raised in the main thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(HTTP_THREADS)]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    for client in clients:
        client.close()
    if errors:
        raise errors[0]
    return runs, clients, elapsed


# --- main ----------------------------------------------------------------------------------------


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flows", type=int, default=200, help="timed flows per repetition")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--api-flows", type=int, default=200, help="timed flows through the REST API in process (0: skip)")
    parser.add_argument("--http-flows", type=int, default=200, help="timed flows over HTTP, gunicorn serving (0: skip)")
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
        if args.http_flows:
            measure_http(shop, database, args.http_flows, rng)


if __name__ == "__main__":
    main()
