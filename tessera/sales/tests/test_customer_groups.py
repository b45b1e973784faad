"""Customer groups: a customer's own price list, else its group's, else the company's default, with
exact prices; resolving the list once per order; the API, the back office, the roles and the demo."""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tessera.core.errors import InvalidInput, NotAllowed
from tessera.core.models import AuditEntry, Company, Currency, Product
from tessera.core.services import company_create, record_delete, record_save, system_user
from tessera.core.tests.factories import PartnerFactory, UserFactory
from tessera.core.tests.test_api_errors import assert_problem
from tessera.sales.demo_groups import load_customer_groups_demo
from tessera.sales.models import CustomerPricelist, Pricelist, PricelistItem, SaleOrder
from tessera.sales.models.pricelists import CustomerGroup
from tessera.sales.services import OrderLineDraft, sale_order_save
from tessera.sales.services.pricing import customer_group_assign, price_for, pricelist_for

MARCH = datetime.date(2026, 3, 15)
GROUPS = "/api/v1/sales/customer-groups/"
LINKS = "/api/v1/sales/customer-pricelists/"


def pricelist(company, by, name, *, default=False, items=()) -> Pricelist:
    plist = record_save(Pricelist(company=company, name=name, currency=Currency.objects.get(code="EUR"), is_default=default),
                        by=by)  # fmt: skip
    for fields in items:
        record_save(PricelistItem(company=company, pricelist=plist, **fields), by=by)
    return plist


def quote(company, customer, seller, *lines) -> SaleOrder:
    order = SaleOrder(company=company, partner=customer, date_order=MARCH)
    return sale_order_save(order, [OrderLineDraft(product, D(qty)) for product, qty in lines], by=seller)


def priced(order) -> tuple[str, list[tuple[str, D, D]], D]:
    lines = [(line.product.name, line.quantity, line.price_unit) for line in order.lines.order_by("position")]
    return order.pricelist.name if order.pricelist else "", lines, order.amount_untaxed


@pytest.fixture
def lists(company, seller, chair, desk):
    """Retail (default): chairs 75. Wholesale: 10 % off everything, 15 % from 10 units. Key account: chairs 60."""
    return {
        "retail": pricelist(company, seller, "Retail", default=True, items=[{"product": chair, "fixed_price": D("75")}]),
        "wholesale": pricelist(company, seller, "Wholesale", items=[{"percent_discount": D("10")},
                                                                     {"min_quantity": D("10"), "percent_discount": D("15")}]),
        "key": pricelist(company, seller, "Key account", items=[{"product": chair, "fixed_price": D("60")}]),
    }  # fmt: skip


@pytest.fixture
def wholesale(company, seller, lists):
    return record_save(CustomerGroup(company=company, name="Wholesale", pricelist=lists["wholesale"]), by=seller)


@pytest.fixture
def other_company(db):
    return company_create(Company(name="Ander BV", country="BE", currency=Currency.objects.get(code="EUR")), by=system_user())


def test_own_list_then_group_list_then_default(company, seller, customer, chair, desk, lists, wholesale):
    member = PartnerFactory(company=company, name="Groothandel NV")
    keyed = PartnerFactory(company=company, name="Sleutelklant NV")
    walk_in = PartnerFactory(company=company, name="Passant")
    customer_group_assign(wholesale, [member, keyed], by=seller)
    record_save(_own(keyed, lists["key"]), by=seller)

    # The member: 10 % off a chair (80) and a desk (250), 15 % off from 10 chairs.
    assert priced(quote(company, member, seller, (chair, "2"), (desk, "1"), (chair, "10"))) == (
        "Wholesale", [("Chair", D("2"), D("72")), ("Desk", D("1"), D("225")), ("Chair", D("10"), D("68"))],
        D("144") + D("225") + D("680"),
    )  # fmt: skip
    # Its own list first: the key-account chair price; the desk has no item there (sale price), not the group's.
    assert priced(quote(company, keyed, seller, (chair, "2"), (desk, "1"))) == (
        "Key account", [("Chair", D("2"), D("60")), ("Desk", D("1"), D("250"))], D("370"),
    )  # fmt: skip
    # Neither: the company's default.
    assert priced(quote(company, walk_in, seller, (chair, "2"))) == ("Retail", [("Chair", D("2"), D("75"))], D("150"))


def _own(partner, plist) -> CustomerPricelist:
    link = CustomerPricelist.objects.get(partner=partner)
    link.pricelist = plist
    return link


def test_inactive_lists_are_skipped_down_the_chain(company, seller, chair, lists, wholesale):
    member = PartnerFactory(company=company, name="Groothandel NV")
    record_save(CustomerPricelist(company=company, partner=member, pricelist=lists["key"], group=wholesale), by=seller)
    assert priced(quote(company, member, seller, (chair, "1")))[:2] == ("Key account", [("Chair", D("1"), D("60"))])
    lists["key"].active = False
    record_save(lists["key"], by=seller)
    assert priced(quote(company, member, seller, (chair, "1")))[:2] == ("Wholesale", [("Chair", D("1"), D("72"))])
    lists["wholesale"].active = False
    record_save(lists["wholesale"], by=seller)
    assert priced(quote(company, member, seller, (chair, "1")))[:2] == ("Retail", [("Chair", D("1"), D("75"))])
    # A group without a price list: the default too.
    retail = record_save(CustomerGroup(company=company, name="Retail"), by=seller)
    other = PartnerFactory(company=company, name="Winkel BV")
    customer_group_assign(retail, [other], by=seller)
    assert priced(quote(company, other, seller, (chair, "3"))) == ("Retail", [("Chair", D("3"), D("75"))], D("225"))


def test_the_list_is_resolved_once_per_order(company, seller, chair, desk, lists, wholesale, django_assert_num_queries):
    member = PartnerFactory(company=company, name="Groothandel NV")
    customer_group_assign(wholesale, [member], by=seller)
    order = SaleOrder(company=company, partner=member, date_order=MARCH, currency=company.currency)
    with django_assert_num_queries(1):  # the customer's record with its list and its group's, joined
        plist = pricelist_for(order)
    assert plist == lists["wholesale"]
    products = list(Product.objects.filter(pk__in=[chair.pk, desk.pk]).select_related("uom", "category").order_by("name"))
    order.company.currency  # noqa: B018 - loaded once, as an order being saved has it
    with django_assert_num_queries(1):  # the list's items, once for all lines
        found = [price_for(order, product, D(qty), product.uom, pricelist=plist) for product in products for qty in ("1", "12")]
    assert found == [D("72"), D("68"), D("225"), D("212.5")]
    with django_assert_num_queries(0):
        assert price_for(order, products[0], D("1"), products[0].uom, pricelist=None) is None
    order.pricelist = lists["key"]  # set on the order: used as it is, without resolving
    with django_assert_num_queries(1):
        assert price_for(order, products[0], D("1"), products[0].uom) == D("60")
    with django_assert_num_queries(0):
        assert price_for(order, products[0], D("5"), products[0].uom) == D("60")


def test_assigning_checks_the_customers_and_writes_nothing_when_refused(company, other_company, seller, salesman, lists,
                                                                        wholesale):  # fmt: skip
    mine = PartnerFactory(company=company, name="Groothandel NV")
    supplier = PartnerFactory(company=company, name="Leverancier NV", is_customer=False)
    foreign = PartnerFactory(company=other_company, name="Buitenland BV")
    audits = AuditEntry.objects.count()
    with pytest.raises(InvalidInput) as refused:
        customer_group_assign(wholesale, [mine, foreign], by=seller)
    assert (refused.value.message, refused.value.field) == ("Buitenland BV is not a partner of this company.", "partners")
    with pytest.raises(InvalidInput) as refused:
        customer_group_assign(wholesale, [mine, supplier], by=seller)
    assert refused.value.message == "Leverancier NV is not a customer; mark it as one first."
    with pytest.raises(InvalidInput, match="Choose the customers to put in Wholesale"):
        customer_group_assign(wholesale, [], by=seller)
    with pytest.raises(NotAllowed):
        customer_group_assign(wholesale, [mine], by=salesman)
    assert (CustomerPricelist.objects.count(), AuditEntry.objects.count()) == (0, audits)
    # Assigning keeps a customer's own list; assigning again changes nothing.
    record_save(CustomerPricelist(company=company, partner=mine, pricelist=lists["key"]), by=seller)
    [link] = customer_group_assign(wholesale, [mine], by=seller)
    assert (link.pricelist, link.group) == (lists["key"], wholesale)
    audits = AuditEntry.objects.count()
    customer_group_assign(wholesale, [mine], by=seller)
    assert AuditEntry.objects.count() == audits


def test_a_record_needs_a_list_or_a_group_and_a_used_group_stays(company, seller, lists, wholesale):
    member = PartnerFactory(company=company, name="Groothandel NV")
    with pytest.raises(InvalidInput) as refused:
        record_save(CustomerPricelist(company=company, partner=member), by=seller)
    assert refused.value.errors == {"pricelist": ["Choose a price list, a customer group, or both."]}
    customer_group_assign(wholesale, [member], by=seller)
    with pytest.raises(Exception) as in_use:
        record_delete(wholesale, by=seller)
    assert getattr(in_use.value, "code", None) == "in_use"
    assert CustomerGroup.objects.filter(pk=wholesale.pk).exists()


def test_api_groups_members_and_roles(api, company, other_company, seller, salesman, lists):
    response = api.post(GROUPS, {"name": "Wholesale", "pricelist": lists["wholesale"].pk}, format="json")
    assert response.status_code == 201, response.content
    group = response.json()
    assert group == {"id": group["id"], "name": "Wholesale", "pricelist": lists["wholesale"].pk, "member_count": 0}
    assert_problem(api.post(GROUPS, {"name": "Wholesale"}, format="json"), 400, "invalid",
                   {"name": ["This company already has a customer group with this name."]})  # fmt: skip
    foreign_list = Pricelist.objects.create(company=other_company, name="Theirs", currency=Currency.objects.get(code="EUR"))
    response = api.post(GROUPS, {"name": "Other", "pricelist": foreign_list.pk}, format="json")
    assert response.status_code == 400 and "pricelist" in response.json()["errors"]
    assert CustomerGroup.objects.count() == 1

    member, keyed = PartnerFactory(company=company, name="Groothandel NV"), PartnerFactory(company=company, name="Sleutel NV")
    foreign = PartnerFactory(company=other_company, name="Buitenland BV")
    response = api.post(f"{GROUPS}{group['id']}/add-customers/", {"partners": [member.pk, foreign.pk]}, format="json")
    assert_problem(response, 400, "invalid", {"partners.1": [f'Invalid pk "{foreign.pk}" - object does not exist.']})
    assert CustomerPricelist.objects.count() == 0
    response = api.post(f"{GROUPS}{group['id']}/add-customers/", {"partners": [member.pk]}, format="json")
    assert response.status_code == 200, response.content
    assert [(row["partner"], row["pricelist"], row["group"]) for row in response.json()] == [(member.pk, None, group["id"])]
    assert api.get(f"{GROUPS}{group['id']}/").json()["member_count"] == 1

    # The customer's group beside its own list, where the customer price lists were already.
    response = api.post(LINKS, {"partner": keyed.pk, "pricelist": lists["key"].pk, "group": group["id"]}, format="json")
    assert response.status_code == 201, response.content
    assert api.get(LINKS, {"group": group["id"]}).json()["count"] == 2
    assert_problem(api.post(LINKS, {"partner": PartnerFactory(company=company).pk}, format="json"), 400, "invalid",
                   {"pricelist": ["Choose a price list, a customer group, or both."]})  # fmt: skip
    link = response.json()["id"]
    response = api.patch(f"{LINKS}{link}/", {"pricelist": None}, format="json")
    assert (response.status_code, response.json()["pricelist"], response.json()["group"]) == (200, None, group["id"])
    order = api.post("/api/v1/sales/orders/", {"partner": keyed.pk, "date_order": "2026-03-15",
                                               "lines": [{"product": lists["key"].items.get().product_id, "quantity": "2"}]},
                     format="json")  # fmt: skip
    assert order.status_code == 201, order.content
    assert (order.json()["pricelist"], order.json()["lines"][0]["price_unit"]) == (lists["wholesale"].pk, "72.000000")

    client = APIClient()
    client.force_authenticate(salesman)
    assert client.get(GROUPS).json()["count"] == 1
    assert client.post(GROUPS, {"name": "Mine"}, format="json").status_code == 403
    assert client.post(f"{GROUPS}{group['id']}/add-customers/", {"partners": [keyed.pk]}, format="json").status_code == 403
    outsider = APIClient()
    outsider.force_authenticate(UserFactory(username="outsider", companies=[other_company], roles=["Sales / Manager"]))
    assert outsider.get(f"{GROUPS}{group['id']}/").status_code == 404
    response = outsider.post(f"{GROUPS}{group['id']}/add-customers/", {"partners": [keyed.pk]}, format="json")
    assert response.status_code == 404


def test_back_office_groups_and_members(client, company, seller, customer, lists):
    client.force_login(seller)
    response = client.post(reverse("admin:sales_customergroup_add"), {
        "name": "Wholesale", "pricelist": lists["wholesale"].pk,
        "members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "0", "members-MIN_NUM_FORMS": "0", "members-MAX_NUM_FORMS": "1000",
        "members-0-partner": customer.pk, "members-0-pricelist": "",
    })  # fmt: skip
    assert response.status_code == 302, [fs.formset.errors for fs in response.context["inline_admin_formsets"]]
    group = CustomerGroup.objects.get(company=company, name="Wholesale")
    assert list(group.members.values_list("partner__name", "pricelist")) == [("Klant BV", None)]
    pages = [reverse("admin:sales_customergroup_changelist"), reverse("admin:sales_customergroup_change", args=[group.pk]),
             reverse("admin:sales_customerpricelist_changelist"),
             reverse("admin:sales_customerpricelist_change", args=[group.members.get().pk])]  # fmt: skip
    assert [client.get(page).status_code for page in pages] == [200] * 4
    assert "Klant BV" in client.get(pages[1]).content.decode()
    # Neither a list nor a group: the form says so next to the field, nothing is saved.
    other = PartnerFactory(company=company, name="Passant")
    page = client.post(reverse("admin:sales_customerpricelist_add"), {"partner": other.pk, "pricelist": "", "group": ""})
    assert page.status_code == 200
    assert page.context["adminform"].form.errors == {"pricelist": ["Choose a price list, a customer group, or both."]}
    assert not CustomerPricelist.objects.filter(partner=other).exists()


def test_demo_groups(company, seller, lists):
    for n in range(6):
        PartnerFactory(company=company, name=f"Klant {n}", ref=f"C{n}")
    load_customer_groups_demo(company, seller)
    load_customer_groups_demo(company, seller)
    groups = {g.name: (g.pricelist.name if g.pricelist else None, g.members.count()) for g in CustomerGroup.objects.all()}
    assert groups == {"Wholesale": ("Wholesale", 3), "Retail": (None, 2)}
    assert list(lists["wholesale"].items.values_list("min_quantity", "percent_discount")) == [(D(0), D(10)), (D(10), D(15))]
