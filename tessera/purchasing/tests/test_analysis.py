"""Purchasing analysis on a small history built through the services, dated in the past: two suppliers,
an order received in two parts (one line on time, one late) and billed twice (the second bill above
the ordered price, blocked), an order received in part with goods sent back and credited, a bill in
dollars without an order, an order still to come. Spend, open and late lines, and supplier performance
are exact, in the queries and in the API (JSON and CSV)."""

import csv
import datetime
import io
from decimal import Decimal as D

import pytest
from django.utils import timezone

from tessera.accounting.models import Invoice, InvoiceKind, InvoiceLine, Journal, JournalType
from tessera.accounting.services import DraftLine, invoice_line_defaults, invoice_post, invoice_save
from tessera.core.models import Company, Currency, CurrencyRate
from tessera.core.services import company_create, system_user
from tessera.core.tests.factories import PartnerFactory, ProductCategoryFactory, UserFactory
from tessera.inventory.models import TransferKind
from tessera.inventory.services import DoneQuantity, transfer_return, transfer_validate
from tessera.purchasing.models import BillMatch, PurchaseOrder
from tessera.purchasing.queries import Scope, expected_lines, late_receipts, spend, supplier_performance
from tessera.purchasing.services import PurchaseLineDraft, purchase_order_bill, purchase_order_confirm, purchase_order_save
from tessera.purchasing.states import MatchState

from .conftest import make_product

TODAY = timezone.localdate()
START = TODAY - datetime.timedelta(days=60)


def day(n):
    """The nth day after START."""
    return START + datetime.timedelta(days=n)


def moment(on):
    return timezone.make_aware(datetime.datetime.combine(on, datetime.time(10)))


def month(on):
    return on.replace(day=1)


@pytest.fixture
def fasteners(company):
    return ProductCategoryFactory(company=company, name="Fasteners")


@pytest.fixture
def screws(company, fasteners):
    return make_product(company, fasteners, "Screw M6")


@pytest.fixture
def nuts(company, fasteners):
    return make_product(company, fasteners, "Nut M8")


def order(company, by, partner, lines, *, on):
    """A confirmed order of (product, quantity, price, expected on) lines."""
    drafts = [PurchaseLineDraft(product, D(quantity), price_unit=D(price), date_planned=planned)
              for product, quantity, price, planned in lines]  # fmt: skip
    placed = purchase_order_save(PurchaseOrder(company=company, partner=partner, date_order=on), drafts, by=by)
    return purchase_order_confirm(placed, by=by)


def receive(purchase, by, quantities, on):
    """Validate the order's open receipt: `quantities` by product; the rest stays in a backorder."""
    receipt = purchase.transfers.filter(kind=TransferKind.RECEIPT).exclude(state__in=("done", "cancelled")).get()
    done = {move.pk: [DoneQuantity(D(quantities.get(move.product, 0)))] for move in receipt.moves.all()}
    transfer_validate(receipt, by=by, done=done, when=moment(on))
    return receipt


def bill(purchase, by, on, ref, *, price=None):
    """The order's bill for what came in, posted; `price`: the supplier bills its one line at this price."""
    draft = purchase_order_bill(purchase, by=by, on=on, ref=ref)
    if price is not None:
        [line] = draft.lines.all()
        changed = InvoiceLine(product=line.product, description=line.description, account=line.account, quantity=line.quantity,
                              uom=line.uom, price_unit=D(price))  # fmt: skip
        draft = invoice_save(draft, [DraftLine(changed, list(line.taxes.all()))], by=by)
    return invoice_post(draft, by=by)


@pytest.fixture
def history(company, manager, supplier, other_supplier, steel, screws, nuts):
    """A (Staal BV, on START): 120 steel at 11.00 and 1,000 screws at 0.10, both expected on day 7; 50 steel and
    the screws come on day 4 (on time, lead 4 days), the other 70 steel on day 10 (3 days late, lead 10
    days). Billed on day 5 (650.00) and on day 12, the steel at 11.50 (805.00, above the 2 % tolerance).
    B (Metaal SA, day 20): 30 steel at 12.00 and 500 nuts at 0.12, expected on day 27; the steel comes on
    day 26 and is billed on day 28 (360.00); 5 go back on day 29, credited (60.00); the nuts never came.
    A bill of Metaal SA in dollars on day 28, without an order: 333.33 USD at 0.90 = 300.00 (299.997).
    C (Staal BV, two days ago): 10 steel at 11.00 expected in five days."""
    a = order(company, manager, supplier, [(steel, 120, "11.00", day(7)), (screws, 1000, "0.10", day(7))], on=START)
    receive(a, manager, {steel: 50, screws: 1000}, day(4))
    bill(a, manager, day(5), "F-1")
    receive(a, manager, {steel: 70}, day(10))
    blocked = bill(a, manager, day(12), "F-2", price="11.50")

    b = order(company, manager, other_supplier, [(steel, 30, "12.00", day(27)), (nuts, 500, "0.12", day(27))], on=day(20))
    receipt = receive(b, manager, {steel: 30}, day(26))
    bill(b, manager, day(28), "M-1")
    move = receipt.moves.get(product=steel, state="done")
    transfer_validate(transfer_return(receipt, by=manager, quantities={move.pk: D(5)}), by=manager, when=moment(day(29)))
    refund = invoice_post(purchase_order_bill(b, by=manager, on=day(29), ref="M-1C"), by=manager)

    CurrencyRate.objects.create(company=company, currency=Currency.objects.get(code="USD"), date=START, rate=D("0.9"))
    dollars = Invoice(company=company, kind=InvoiceKind.VENDOR_BILL, partner=other_supplier, date=day(28), ref="US-7",
                      journal=Journal.objects.get(company=company, type=JournalType.PURCHASE),
                      currency=Currency.objects.get(code="USD"))  # fmt: skip
    account, taxes = invoice_line_defaults(dollars, None)
    freight = InvoiceLine(description="Freight", account=account, quantity=D(1), price_unit=D("333.33"))
    dollars = invoice_post(invoice_save(dollars, [DraftLine(freight, taxes)], by=manager), by=manager)

    c = order(company, manager, supplier, [(steel, 10, "11.00", TODAY + datetime.timedelta(days=5))],
              on=TODAY - datetime.timedelta(days=2))  # fmt: skip
    rfq = PurchaseOrder(company=company, partner=supplier)  # not confirmed: nothing expected
    purchase_order_save(rfq, [PurchaseLineDraft(steel, D(5), price_unit=D(11))], by=manager)
    return {"a": a, "b": b, "c": c, "blocked": blocked, "refund": refund, "dollars": dollars, "b_receipt": receipt}


def figures(rows):
    return {row.key: (row.label, row.billed, row.refunded, row.spend) for row in rows}


def test_the_history_is_what_the_figures_assume(history, manager):
    a = history["a"]
    assert (a.approved_by, a.amount_untaxed) == (manager, D("1420.00"))  # above the company's 1,000.00
    assert BillMatch.objects.get(invoice=history["blocked"]).state == MatchState.BLOCKED
    assert (history["refund"].kind, history["refund"].amount_untaxed) == (InvoiceKind.VENDOR_REFUND, D("60.00"))
    [line] = history["dollars"].entry.lines.filter(tax=None, date_maturity=None)
    assert (line.debit, line.amount_currency) == (D("300.00"), D("333.33"))  # what spend counts for it


def test_spend_per_supplier_category_and_month(company, history, supplier, other_supplier, category, fasteners):
    rows = spend(company, Scope())
    assert figures(rows) == {
        other_supplier.pk: ("Metaal SA", D("660.00"), D("60.00"), D("600.00")),  # 360.00 + 300.00 − 60.00
        supplier.pk: ("Staal BV", D("1455.00"), D("0.00"), D("1455.00")),  # 50 × 11.00 + 1,000 × 0.10 + 70 × 11.50
    }
    assert [row.label for row in rows] == ["Metaal SA", "Staal BV"]
    assert figures(spend(company, Scope(), group="category")) == {
        fasteners.pk: ("Fasteners", D("100.00"), D("0.00"), D("100.00")),
        category.pk: ("Raw materials", D("1715.00"), D("60.00"), D("1655.00")),  # 550.00 + 805.00 + 360.00 − 60.00
        None: ("—", D("300.00"), D("0.00"), D("300.00")),  # the freight, without a product
    }
    months = {}
    for on, billed, refunded in ((day(5), "650.00", "0"), (day(12), "805.00", "0"), (day(28), "660.00", "0"),
                                 (day(29), "0", "60.00")):  # fmt: skip
        before = months.get(month(on), (D(0), D(0)))
        months[month(on)] = (before[0] + D(billed), before[1] + D(refunded))
    assert {row.key: (row.label, row.billed, row.refunded) for row in spend(company, Scope(), group="month")} == {
        key: (key.strftime("%Y-%m"), billed, refunded) for key, (billed, refunded) in months.items()
    }
    # Bills of the period only, of one supplier or product.
    assert figures(spend(company, Scope(date_to=day(12)))) == {supplier.pk: ("Staal BV", D("1455.00"), D("0.00"), D("1455.00"))}
    assert figures(spend(company, Scope(date_from=day(6), date_to=day(28), supplier=other_supplier))) == {
        other_supplier.pk: ("Metaal SA", D("660.00"), D("0.00"), D("660.00"))
    }


def test_spend_of_one_product(company, history, steel, category):
    assert figures(spend(company, Scope(product=steel), group="category")) == {
        category.pk: ("Raw materials", D("1715.00"), D("60.00"), D("1655.00"))
    }


def test_open_and_late_lines(company, history, manager, supplier, other_supplier, steel, nuts):
    b, c = history["b"], history["c"]
    rows = [
        (r.number, r.product_id, r.ordered, r.received, r.expected, r.days_late, r.value)
        for r in expected_lines(company, Scope())
    ]
    # A is all in; B's steel came (5 went back, not expected again); B's nuts are 33 days late; C is due in 5 days.
    assert rows == [
        (b.number, nuts.pk, D(500), D(0), D(500), 33, D("60.00")),
        (c.number, steel.pk, D(10), D(0), D(10), 0, D("110.00")),
    ]
    assert [(r.number, r.days_late) for r in late_receipts(company, Scope())] == [(b.number, 33)]
    assert [(r.number, r.days_late) for r in late_receipts(company, Scope(), as_of=TODAY + datetime.timedelta(days=7))] == [
        (b.number, 40), (c.number, 2),
    ]  # fmt: skip
    # Another unit of B's steel on its way back to the supplier is not expected either.
    receipt = history["b_receipt"]
    transfer_return(receipt, by=manager, quantities={receipt.moves.get(product=steel, state="done").pk: D(1)})
    assert [r.product_id for r in expected_lines(company, Scope(supplier=other_supplier))] == [nuts.pk]
    assert expected_lines(company, Scope(supplier=supplier))[0].number == c.number
    assert [r.number for r in expected_lines(company, Scope(date_to=day(20)))] == [b.number]
    assert late_receipts(company, Scope(product=steel)) == []


def test_supplier_performance(company, history, supplier, other_supplier, steel):
    def performance(scope):
        return {r.key: (r.lines_received, r.on_time, r.on_time_rate, r.average_lead_days, r.ordered_value, r.billed_value,
                        r.price_variance, r.price_variance_percent) for r in supplier_performance(company, scope)}  # fmt: skip

    # Staal BV: the screws on time (4 days), the steel 3 days late (10 days): 50.00 %, 7.0 days. Billed 70 steel at
    # 11.50 for 11.00: 35.00 more than the 1,420.00 ordered, 2.46 %. Metaal SA: its steel is not all in since 5 went
    # back; billed 30 and credited 5 at the ordered 12.00; the dollar bill has no order.
    assert performance(Scope()) == {
        supplier.pk: (2, 1, D("50.00"), D("7.0"), D("1420.00"), D("1455.00"), D("35.00"), D("2.46")),
        other_supplier.pk: (0, 0, None, None, D("300.00"), D("300.00"), D("0.00"), D("0.00")),
    }
    # From day 11: no line was fully received; the second bill alone: 35.00 / 770.00 = 4.55 %.
    assert performance(Scope(date_from=day(11), supplier=supplier)) == {
        supplier.pk: (0, 0, None, None, D("770.00"), D("805.00"), D("35.00"), D("4.55"))
    }
    assert performance(Scope(date_to=day(9), product=steel)) == {
        supplier.pk: (0, 0, None, None, D("550.00"), D("550.00"), D("0.00"), D("0.00"))
    }


def test_each_analysis_reads_a_few_queries_whatever_its_rows(company, history, django_assert_max_num_queries):
    for query in (lambda: spend(company, Scope()), lambda: spend(company, Scope(), group="category"),
                  lambda: expected_lines(company, Scope()), lambda: supplier_performance(company, Scope())):  # fmt: skip
        with django_assert_max_num_queries(3):
            query()


def test_another_company_sees_nothing(history):
    other = company_create(Company(name="Ander NV", country="BE", currency=Currency.objects.get(code="EUR")), by=system_user())
    assert (spend(other, Scope()), expected_lines(other, Scope()), supplier_performance(other, Scope())) == ([], [], [])


# --- the API ---------------------------------------------------------------------------------------


URL = "/api/v1/purchasing/reports/"


def test_api_gives_the_same_figures(api, history, supplier, other_supplier):
    response = api.get(f"{URL}spend/", {"group": "supplier"})
    assert response.status_code == 200
    assert response.json() == {
        "group": "supplier",
        "rows": [
            {"key": str(other_supplier.pk), "label": "Metaal SA", "billed": "660.00", "refunded": "60.00", "spend": "600.00"},
            {"key": str(supplier.pk), "label": "Staal BV", "billed": "1455.00", "refunded": "0.00", "spend": "1455.00"},
        ],
        "total": {"billed": "2115.00", "refunded": "60.00", "spend": "2055.00"},
    }
    rows = api.get(f"{URL}open-orders/").json()["rows"]
    assert [(r["number"], r["expected"], r["days_late"], r["value"], r["currency"]) for r in rows] == [
        (history["b"].number, "500.000000", 33, "60.00", "EUR"), (history["c"].number, "10.000000", 0, "110.00", "EUR"),
    ]  # fmt: skip
    late = api.get(f"{URL}late-receipts/", {"as_of": TODAY.isoformat()}).json()
    assert (late["as_of"], [(r["supplier_name"], r["days_late"]) for r in late["rows"]]) == (
        TODAY.isoformat(),
        [("Metaal SA", 33)],
    )
    performance = api.get(f"{URL}supplier-performance/", {"supplier": supplier.pk}).json()["rows"]
    assert performance == [{"key": supplier.pk, "label": "Staal BV", "lines_received": 2, "on_time": 1, "on_time_rate": "50.00",
                            "average_lead_days": "7.0", "ordered_value": "1420.00", "billed_value": "1455.00",
                            "price_variance": "35.00", "price_variance_percent": "2.46"}]  # fmt: skip


def test_api_exports_csv_and_xlsx(api, history):
    response = api.get(f"{URL}spend/", {"group": "category", "export": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(response.content.decode()))) == [
        ["Product category", "Billed", "Refunded", "Spend"],
        ["Fasteners", "100.00", "0.00", "100.00"],
        ["Raw materials", "1715.00", "60.00", "1655.00"],
        ["—", "300.00", "0.00", "300.00"],
    ]
    performance = api.get(f"{URL}supplier-performance/", {"export": "csv"}).content.decode().splitlines()
    assert performance[1:] == ["Metaal SA,0,0,,,300.00,300.00,0.00,0.00", "Staal BV,2,1,50.00,7.0,1420.00,1455.00,35.00,2.46"]
    late = api.get(f"{URL}late-receipts/", {"export": "csv"}).content.decode().splitlines()
    assert late[1].split(",") == [history["b"].number, day(20).isoformat(), "Metaal SA", "[NUT M8] Nut M8", "Unit", "500.000000",
                                  "0.000000", "500.000000", day(27).isoformat(), "33", "60.00", "EUR"]  # fmt: skip
    xlsx = api.get(f"{URL}open-orders/", {"export": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_api_refuses_bad_parameters_naming_the_field(api, history, company):
    customer = PartnerFactory(company=company, name="Klant BV", is_customer=True)
    foreign = company_create(Company(name="Ander NV", country="BE", currency=Currency.objects.get(code="EUR")), by=system_user())
    theirs = PartnerFactory(company=foreign, name="Hun leverancier", is_supplier=True)
    for report, params, field in (
        ("spend", {"group": "week"}, "group"), ("spend", {"date_from": "2026-02-30"}, "date_from"),
        ("spend", {"date_from": "2026-03-02", "date_to": "2026-03-01"}, "date_to"), ("spend", {"supplier": 999999}, "supplier"),
        ("spend", {"supplier": customer.pk}, "supplier"), ("spend", {"supplier": theirs.pk}, "supplier"),
        ("spend", {"product": "x"}, "product"), ("spend", {"export": "pdf"}, "export"),
        ("late-receipts", {"as_of": "tomorrow"}, "as_of"), ("supplier-performance", {"date_to": "soon"}, "date_to"),
    ):  # fmt: skip
        response = api.get(f"{URL}{report}/", params)
        assert response.status_code == 400, params
        assert response["Content-Type"].startswith("application/problem+json")
        assert field in str(response.json()), params


def test_api_needs_the_permission_to_see_orders(api, company):
    api.force_authenticate(UserFactory(username="nobody", companies=[company], roles=[]))
    for report in ("spend", "open-orders", "late-receipts", "supplier-performance"):
        assert api.get(f"{URL}{report}/").status_code == 403, report
