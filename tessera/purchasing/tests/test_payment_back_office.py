"""The back office of payment runs and landed costs: a run made from due bills, its SEPA file, marked
sent; a landed cost typed on a done receipt and posted with its button; wrong input is a form error."""

from decimal import Decimal as D

import pytest
from django.utils import timezone

from tessera.accounting.models import Account, Journal
from tessera.core.models import PartnerBankAccount
from tessera.purchasing.models import LandedCost, PaymentRun, PurchaseOrder
from tessera.purchasing.services import PurchaseLineDraft, purchase_order_confirm, purchase_order_receive, purchase_order_save
from tessera.purchasing.states import LandedCostState, PaymentRunState

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
