"""Sales margin grouped by the database, on what the order-to-cash history of test_analysis does not
have: invoices in another currency (converted at their rate and rounded per invoice and product),
credit notes, invoices without an order (no salesperson), and the month of a delivery made just after
midnight on the first of a month in Brussels (still the previous month in UTC)."""

import datetime
from decimal import Decimal as D

from django.utils import timezone

from tessera.accounting.models import Invoice, InvoiceKind, InvoiceLine, Journal
from tessera.accounting.services import invoice_credit_note, invoice_post, invoice_save
from tessera.accounting.services.invoices import DraftLine
from tessera.accounting.services.setup import account_for_role
from tessera.core.models import Currency, CurrencyRate
from tessera.core.tests.factories import PartnerFactory
from tessera.inventory.models import Transfer, TransferKind
from tessera.inventory.services import MoveDraft, transfer_confirm, transfer_save, transfer_validate
from tessera.sales.models import SaleOrder
from tessera.sales.queries import Scope, sales_margin
from tessera.sales.services import OrderLineDraft, sale_order_confirm, sale_order_save

MARCH = datetime.date(2026, 3, 10)


def posted(company, by, partner, lines, *, currency="EUR"):
    journal = Journal.objects.get(company=company, code="INV")
    document = Invoice(company=company, kind=InvoiceKind.CUSTOMER_INVOICE, partner=partner, date=MARCH, journal=journal,
                       currency=Currency.objects.get(code=currency))  # fmt: skip
    drafts = [DraftLine(InvoiceLine(description=product.name, product=product, account=account_for_role(company, "sales"),
                                    quantity=D(quantity), price_unit=D(price)))
              for product, quantity, price in lines]  # fmt: skip
    return invoice_post(invoice_save(document, drafts, by=by), by=by)


def rows(company, group, scope=None):
    return {row.key: (row.label, row.revenue, row.cost, row.margin, row.margin_percent)
            for row in sales_margin(company, scope or Scope(), group=group)}  # fmt: skip


def test_foreign_currency_credit_notes_and_invoices_without_orders(company, seller, customer, chair, desk):
    usd = Currency.objects.get(code="USD")
    CurrencyRate.objects.create(company=company, currency=usd, date=datetime.date(2026, 3, 1), rate=D("0.923"))
    american = PartnerFactory(company=company, name="Racks Inc", country="US")
    # Two chair lines of 1.50 USD: 3.00 × 0.923 = 2.769 → 2.77 (per invoice and product, not 2 × 1.38); a desk: 92.30.
    posted(company, seller, american, [(chair, "1", "1.50"), (chair, "1", "1.50"), (desk, "1", "100")], currency="USD")
    posted(company, seller, customer, [(chair, "2", "80"), (desk, "1", "250")])
    credited = posted(company, seller, customer, [(chair, "1", "80")])
    invoice_post(invoice_credit_note(credited, by=seller), by=seller)

    full = D("100.00")
    assert rows(company, "product") == {
        chair.pk: ("[CHAIR] Chair", D("162.77"), D(0), D("162.77"), full),
        desk.pk: ("[DESK] Desk", D("342.30"), D(0), D("342.30"), full),
    }
    assert rows(company, "customer") == {
        customer.pk: ("Klant BV", D("410.00"), D(0), D("410.00"), full),
        american.pk: ("Racks Inc", D("95.07"), D(0), D("95.07"), full),
    }
    assert rows(company, "salesperson") == {None: ("—", D("505.07"), D(0), D("505.07"), full)}
    assert rows(company, "month") == {datetime.date(2026, 3, 1): ("2026-03", D("505.07"), D(0), D("505.07"), full)}
    assert rows(company, "product", Scope(salesperson=seller)) == {}
    assert rows(company, "customer", Scope(customer=american, product=chair)) == {
        american.pk: ("Racks Inc", D("2.77"), D(0), D("2.77"), full),
    }


def test_costs_fall_in_the_local_month_of_the_delivery(company, seller, warehouse, customer, chair):
    received = timezone.make_aware(datetime.datetime(2026, 1, 5, 10))
    receipt = transfer_save(Transfer(company=company, kind=TransferKind.RECEIPT, warehouse=warehouse),
                            [MoveDraft(chair, D(5), unit_cost=D("30"))], by=seller)  # fmt: skip
    transfer_validate(transfer_confirm(receipt, by=seller), by=seller, when=received)
    order = sale_order_confirm(sale_order_save(SaleOrder(company=company, partner=customer, salesperson=seller),
                                               [OrderLineDraft(chair, D(2))], by=seller), by=seller)  # fmt: skip
    # 00:30 on 1 February in Brussels is 23:30 on 31 January in UTC: the cost belongs to February.
    evening = timezone.make_aware(datetime.datetime(2026, 2, 1, 0, 30))
    transfer_validate(order.transfers.get(), by=seller, when=evening)
    assert evening.astimezone(datetime.UTC).date() == datetime.date(2026, 1, 31)
    assert rows(company, "month") == {datetime.date(2026, 2, 1): ("2026-02", D(0), D("60.00"), D("-60.00"), None)}
    assert rows(company, "salesperson") == {seller.pk: ("seller", D(0), D("60.00"), D("-60.00"), None)}
    other = PartnerFactory(company=company, name="Bureau SA")
    assert rows(company, "customer", Scope(customer=other)) == {}
    assert rows(company, "product", Scope(customer=customer)) == {
        chair.pk: ("[CHAIR] Chair", D(0), D("60.00"), D("-60.00"), None)
    }
