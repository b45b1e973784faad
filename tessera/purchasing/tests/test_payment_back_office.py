"""The back office of payment runs, landed costs and bills that came another way: a run made from due
bills, its SEPA file, marked sent; a landed cost typed on a done receipt and posted with its button;
a draft bill linked to its order; wrong input is a form error."""

from decimal import Decimal as D

import pytest
from django.utils import timezone

from tessera.accounting.models import Account, Invoice, InvoiceKind, InvoiceLine, Journal
from tessera.accounting.services import DraftLine, invoice_line_defaults, invoice_post, invoice_save
from tessera.core.models import PartnerBankAccount
from tessera.purchasing.models import BillMatch, LandedCost, PaymentRun, PurchaseOrder
from tessera.purchasing.services import PurchaseLineDraft, purchase_order_confirm, purchase_order_receive, purchase_order_save
from tessera.purchasing.states import LandedCostState, MatchState, PaymentRunState

from .conftest import posted_bill

RUNS = "/admin/purchasing/paymentrun/"
COSTS = "/admin/purchasing/landedcost/"


@pytest.fixture
def browser(client, manager):
    client.force_login(manager)
    return client


def test_a_payment_run_from_the_back_office(browser, company, manager, supplier):
    PartnerBankAccount.objects.create(company=company, partner=supplier, iban="BE71096123456769")
    bank = Journal.objects.get(company=company, code="BNK1")
    Journal.objects.filter(pk=bank.pk).update(bank_iban="BE68539007547034")
    today = timezone.localdate()
    bill = posted_bill(company, supplier, "410.00", manager, due=today)
    form = browser.get(f"{RUNS}add/")
    assert form.status_code == 200
    assert [choice.instance for choice, _label in form.context["adminform"].form.fields["bills"].choices] == [bill]
    saved = browser.post(f"{RUNS}add/", {"journal": bank.pk, "execution_date": today.isoformat(), "bills": [bill.pk]})
    assert saved.status_code == 302, saved.context and saved.context["adminform"].form.errors
    run = PaymentRun.objects.get()
    assert (run.state, run.amount_total, run.lines.get().invoice) == (PaymentRunState.DRAFT, D("410.00"), bill)

    page = browser.get(f"{RUNS}{run.pk}/change/")
    assert page.status_code == 200 and b"Download the SEPA file" in page.content
    file = browser.get(f"{RUNS}{run.pk}/file/")
    assert (file.status_code, file["Content-Type"]) == (200, "application/xml") and b"<CtrlSum>410.00</CtrlSum>" in file.content
    browser.post(f"{RUNS}{run.pk}/do/mark-sent/")
    run.refresh_from_db()
    assert run.state == PaymentRunState.SENT
    assert browser.get(RUNS).status_code == 200


def test_a_landed_cost_from_the_back_office(browser, company, manager, supplier, steel):
    lines = [PurchaseLineDraft(steel, D(10), price_unit=D(10))]
    order = purchase_order_confirm(purchase_order_save(PurchaseOrder(company=company, partner=supplier), lines, by=manager),
                                   by=manager)  # fmt: skip
    [receipt] = purchase_order_receive(order, by=manager)
    account = Account.objects.get(company=company, code="604000")
    values = {"receipt": receipt.pk, "description": "Freight", "amount": "25.00", "account": account.pk, "split": "value",
              "date": timezone.localdate().isoformat()}  # fmt: skip
    refused = browser.post(f"{COSTS}add/", {**values, "amount": "0"})
    assert refused.status_code == 200 and "amount" in refused.context["adminform"].form.errors
    assert LandedCost.objects.count() == 0
    assert browser.post(f"{COSTS}add/", values).status_code == 302
    cost = LandedCost.objects.get()
    browser.post(f"{COSTS}{cost.pk}/do/post/")
    cost.refresh_from_db()
    assert (cost.state, cost.entry.lines.count()) == (LandedCostState.POSTED, 2)
    assert browser.get(f"{COSTS}{cost.pk}/change/").status_code == 200


def test_a_bill_that_came_another_way_is_linked_from_the_order(browser, company, manager, supplier, steel):
    lines = [PurchaseLineDraft(steel, D(10), price_unit=D(10))]
    order = purchase_order_confirm(purchase_order_save(PurchaseOrder(company=company, partner=supplier), lines, by=manager),
                                   by=manager)  # fmt: skip
    purchase_order_receive(order, by=manager)
    bill = Invoice(company=company, kind=InvoiceKind.VENDOR_BILL, partner=supplier, date=timezone.localdate(),
                   journal=Journal.objects.get(company=company, code="BILL"), currency=company.currency,
                   ref="SCAN-9")  # fmt: skip
    account, _taxes = invoice_line_defaults(bill, steel)
    bill = invoice_save(bill, [DraftLine(InvoiceLine(product=steel, description="Steel", account=account, quantity=D(10),
                                                     price_unit=D(10)), [])], by=manager)  # fmt: skip
    url = f"/admin/purchasing/purchaseorder/{order.pk}/link-bill/"
    assert url.encode() in browser.get(f"/admin/purchasing/purchaseorder/{order.pk}/change/").content
    form = browser.get(url)
    assert [choice.instance for choice, _label in form.context["form"].fields["bill"].choices if choice] == [bill]
    assert browser.post(url, {"bill": bill.pk}).status_code == 302
    assert list(bill.purchase_orders.all()) == [order]
    invoice_post(bill, by=manager)
    assert BillMatch.objects.get(invoice=bill).state == MatchState.MATCHED
    order.lines.get().refresh_from_db()
    assert order.lines.get().qty_billed == D(10)
