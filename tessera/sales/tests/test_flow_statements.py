"""Order to cash (benchmark W1) costs the same statements whatever the number of order lines: no step
runs a query per line, and configuration is read once, not once per operation (decision 15)."""

import re
from decimal import Decimal as D

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tessera.accounting.services import invoice_post, payment_register
from tessera.inventory.models import Transfer, TransferKind
from tessera.inventory.services import MoveDraft, transfer_confirm, transfer_save, transfer_validate
from tessera.sales.models import SaleOrder
from tessera.sales.services import OrderLineDraft, sale_order_confirm, sale_order_invoice, sale_order_save
from tessera.sales.states import DeliveryStatus, InvoiceStatus

from .conftest import make_product

CONFIGURATION_TABLES = (
    "accounting_accountingsettings", "accounting_accountrole", "accounting_taxdistribution", "accounting_journal",
    "accounting_period", "accounting_producttaxes", "inventory_warehouse", "inventory_location", "inventory_productstock",
    "inventory_categoryvaluation", "sales_pricelist", "sales_customerpricelist",
)  # fmt: skip
READ_TABLE = re.compile(r'^SELECT .*? FROM "(\w+)"')


def statements_per_step(company, seller, customer, bank, products, read: list[str] | None = None) -> dict[str, int]:
    """Statements per step of one flow; `read` collects the tables the flow's SELECTs read from."""
    counts = {}

    def step(name, action):
        with CaptureQueriesContext(connection) as captured:
            result = action()
        counts[name] = len(captured)
        if read is not None:
            read.extend(match[1] for query in captured.captured_queries if (match := READ_TABLE.match(query["sql"])))
        return result

    drafts = [OrderLineDraft(product, D(2)) for product in products]
    order = step("save", lambda: sale_order_save(SaleOrder(company=company, partner=customer), drafts, by=seller))
    order = step("confirm", lambda: sale_order_confirm(order, by=seller))
    delivery = order.transfers.get()
    step("validate", lambda: transfer_validate(delivery, by=seller))
    invoice = step("invoice", lambda: sale_order_invoice(order, by=seller))
    invoice = step("post", lambda: invoice_post(invoice, by=seller))
    today = timezone.localdate()
    step("pay", lambda: payment_register([invoice], amount=invoice.amount_total, on=today, journal=bank, by=seller))
    order.refresh_from_db()
    invoice.refresh_from_db()
    assert (order.delivery_status, order.invoice_status, invoice.payment_state) == (
        DeliveryStatus.FULL, InvoiceStatus.INVOICED, "paid"
    )  # fmt: skip
    return counts


def test_no_step_of_order_to_cash_runs_a_query_per_line(company, warehouse, seller, customer, bank, category):
    products = [make_product(company, category, f"Article {n}", price="10", cost="4") for n in range(6)]
    receipt = transfer_save(Transfer(company=company, kind=TransferKind.RECEIPT, warehouse=warehouse),
                            [MoveDraft(product, D(100), unit_cost=D(4)) for product in products], by=seller)  # fmt: skip
    transfer_validate(transfer_confirm(receipt, by=seller), by=seller)
    statements_per_step(company, seller, customer, bank, products[:1])  # first numbers of the year, periods

    two = statements_per_step(company, seller, customer, bank, products[:2])
    six = statements_per_step(company, seller, customer, bank, products)

    assert six == two
    assert sum(two.values()) < 200


def test_a_flow_reads_no_configuration_the_flow_before_read(company, warehouse, seller, customer, bank, category):
    products = [make_product(company, category, f"Article {n}", price="10", cost="4") for n in range(2)]
    receipt = transfer_save(Transfer(company=company, kind=TransferKind.RECEIPT, warehouse=warehouse),
                            [MoveDraft(product, D(100), unit_cost=D(4)) for product in products], by=seller)  # fmt: skip
    transfer_validate(transfer_confirm(receipt, by=seller), by=seller)
    first: list[str] = []
    statements_per_step(company, seller, customer, bank, products, read=first)
    second: list[str] = []
    statements_per_step(company, seller, customer, bank, products, read=second)

    assert {"accounting_accountingsettings", "accounting_period", "inventory_location"} <= set(first)
    assert [table for table in second if table in CONFIGURATION_TABLES] == []
    assert second.count("core_configurationversion") == 6  # one check per operation
