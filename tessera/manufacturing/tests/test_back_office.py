"""The manufacturing back office: lists and forms render; a BOM typed through the form is saved through
the service; a cycle typed in the form is shown on it with nothing saved; the structure and cost page of
the desk for 1 and 10, and its CSV; no access without a manufacturing role; no query per row."""

import csv
import io
import re
from decimal import Decimal as D
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tessera.core.audit import history_of
from tessera.core.tests.factories import UserFactory, unit
from tessera.manufacturing.models import Bom, BomLine, Routing, WorkCentre
from tessera.manufacturing.services import BomLineDraft, bom_save

from .conftest import product

BOMS = "/admin/manufacturing/bom/"
ROUTINGS = "/admin/manufacturing/routing/"
CENTRES = "/admin/manufacturing/workcentre/"


@pytest.fixture
def browser(client, planner):
    client.force_login(planner)
    return client


def bom_form(product_, lines, *, version="1", quantity="1", by_products=()):
    form = {
        "product": product_.pk, "version": version, "kind": "manufacture", "quantity": quantity, "uom": "", "routing": "",
        "date_start": "", "date_end": "", "active": "on", "note": "",
        "lines-TOTAL_FORMS": str(len(lines) + 1), "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "by_products-TOTAL_FORMS": str(len(by_products) + 1), "by_products-INITIAL_FORMS": "0",
        "by_products-MIN_NUM_FORMS": "0", "by_products-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    for n, (component, qty, scrap) in enumerate([*lines, ("", "", "0")]):
        form |= {f"lines-{n}-product": getattr(component, "pk", component), f"lines-{n}-quantity": qty, f"lines-{n}-uom": "",
                 f"lines-{n}-scrap_percent": scrap}  # fmt: skip
    for n, (extra, qty) in enumerate([*by_products, ("", "")]):
        form |= {f"by_products-{n}-product": getattr(extra, "pk", extra), f"by_products-{n}-quantity": qty,
                 f"by_products-{n}-uom": ""}  # fmt: skip
    return form


def table_rows(page: str) -> list[list[str]]:
    """The cells of the structure table's body rows, as text."""
    body = page.split('id="structure"', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    rows = re.findall(r"<tr[^>]*data-level[^>]*>(.*?)</tr>", body, re.S)
    return [[unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in rows]  # fmt: skip


def totals(page: str) -> dict[str, str]:
    block = page.split('id="structure-totals"', 1)[1].split("</dl>", 1)[0]
    pairs = re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", block, re.S)
    return {label.strip(): amount.strip() for label, amount in pairs}


DESK_ROWS = [
    ["1", "[DESK TOP] Desk top", "Made", "1", "Unit", "55.25"],
    ["2", "[BOARD] Board", "Bought", "1.2", "m²", "24.00"],
    ["2", "Cut at [CUT] Cutting", "Operation", "31.25", "min", "31.25"],
    ["1", "[LEG] Leg", "Bought", "4.2", "Unit", "12.60"],
    ["1", "[FIXINGS KIT] Fixings kit", "Kit", "1", "Unit", "3.40"],
    ["2", "[SCREW] Screw", "Bought", "8", "Unit", "0.40"],
    ["2", "[BRACKET] Bracket", "Bought", "2", "Unit", "3.00"],
    ["1", "Assemble at [ASM] Assembly", "Operation", "20", "min", "15.00"],
]


def test_the_lists_forms_and_sidebar_render(browser, desk, workshop):
    routing = Routing.objects.get(name="Cut a top")
    cutting, _assembly = workshop
    for url in (BOMS, f"{BOMS}add/", f"{BOMS}{desk.pk}/change/", f"{BOMS}?kind__exact=kit", f"{BOMS}?active__exact=1",
                f"{BOMS}?product__id__exact={desk.product_id}", f"{BOMS}?q=desk", ROUTINGS, f"{ROUTINGS}add/",
                f"{ROUTINGS}{routing.pk}/change/", CENTRES, f"{CENTRES}add/", f"{CENTRES}{cutting.pk}/change/",
                f"{BOMS}{desk.pk}/history/"):  # fmt: skip
        assert browser.get(url).status_code == 200, url
    boms = browser.get(BOMS).content.decode()
    assert "[DESK] Desk" in boms and "Kit (phantom)" in boms and "Assemble a desk" in boms
    change = browser.get(f"{BOMS}{desk.pk}/change/").content.decode()
    assert f"{BOMS}{desk.pk}/structure/" in change and 'name="lines-2-quantity"' in change
    centres = browser.get(CENTRES).content.decode()
    assert "CUT" in centres and "Cutting" in centres
    assert "Cut" in browser.get(f"{ROUTINGS}{routing.pk}/change/").content.decode()
    sidebar = browser.get("/admin/").content.decode()
    for url in (BOMS, ROUTINGS, CENTRES):
        assert url in sidebar, url


def test_a_bom_typed_through_the_form_is_saved_through_the_service(browser, company, category, planner):
    shelf, plank = product(company, category, "Shelf"), product(company, category, "Plank", cost="8", uom="m²")
    screw, offcut = product(company, category, "Screw", cost="0.05"), product(company, category, "Offcut", uom="m²")
    form = bom_form(shelf, [(plank, "0.6", "10"), (screw, "4", "0")], quantity="2", by_products=[(offcut, "0.05")])
    response = browser.post(f"{BOMS}add/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    bom = Bom.objects.get()
    assert (bom.product, bom.quantity, bom.uom, bom.version) == (shelf, D(2), unit("Unit"), "1")
    lines = [(line.product, line.quantity, line.uom, line.scrap_percent) for line in bom.lines.order_by("position")]
    assert lines == [(plank, D("0.6"), unit("m²"), D(10)), (screw, D(4), unit("Unit"), D(0))]
    assert [(extra.product, extra.quantity, extra.uom) for extra in bom.by_products.all()] == [(offcut, D("0.05"), unit("m²"))]
    [entry] = history_of(bom)
    assert (entry.action, entry.actor) == ("create", planner)
    structure = browser.get(f"{BOMS}{bom.pk}/structure/").content.decode()
    assert totals(structure)["Total cost"] == "5.48"  # 0.6 × 1.1 × 8.00 + 4 × 0.05 for the 2 the BOM makes


def test_a_cycle_typed_in_the_form_is_shown_on_it_and_nothing_is_saved(browser, company, category, desk):
    top = desk.lines.get(position=0).product
    before = (Bom.objects.count(), BomLine.objects.count())
    response = browser.post(f"{BOMS}add/", bom_form(top, [(desk.product, "1", "0")], version="2"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "would make a product contain itself: Desk top → Desk → Desk top" in unescape(page)
    assert 'name="version" value="2"' in page and f'<option value="{desk.product_id}" selected>' in page  # as typed
    assert (Bom.objects.count(), BomLine.objects.count()) == before
    assert not history_of(Bom(pk=before[0] + 1)).exists()

    itself = browser.post(f"{BOMS}add/", bom_form(top, [(top, "1", "0")], version="3"))  # the error lands on its row
    assert itself.status_code == 200
    [line_form] = [f for f in itself.context["inline_admin_formsets"][0].formset.forms if f.errors]
    assert line_form.errors["product"] == ["Line 1: a product cannot be a component of itself."]
    assert (Bom.objects.count(), BomLine.objects.count()) == before


def test_the_structure_page_costs_the_desk(browser, desk):
    url = f"{BOMS}{desk.pk}/structure/"
    one = browser.get(url)
    assert one.status_code == 200
    page = one.content.decode()
    assert table_rows(page) == DESK_ROWS
    assert totals(page) == {"Material cost": "71.25", "Operation cost": "15.00", "Total cost": "86.25", "Unit cost": "86.25"}
    assert 'name="quantity" value="1"' in page

    ten = browser.get(url, {"quantity": "10"}).content.decode()
    # The cutting setup is paid once for ten: 10 × 24.00 + (15 + 100) min / 80 % at 60.00 = 383.75 for the tops.
    assert totals(ten) == {"Material cost": "543.75", "Operation cost": "150.00", "Total cost": "693.75", "Unit cost": "69.38"}
    assert table_rows(ten)[0] == ["1", "[DESK TOP] Desk top", "Made", "10", "Unit", "383.75"]

    exported = browser.get(url, {"quantity": "10", "export": "csv"})
    assert exported["Content-Type"].startswith("text/csv")
    header, *rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert header == ["Level", "Product or operation", "Kind", "Quantity", "Unit", "Cost"]
    assert rows == table_rows(ten)
    xlsx = browser.get(url, {"quantity": "1", "export": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")

    for bad in ("abc", "0", "-2", "1e40", ""):
        response = browser.get(url, {"quantity": bad})
        assert response.status_code == 200, bad
        assert response.context["form"].errors["quantity"], bad
        assert table_rows(response.content.decode()) == []
        assert browser.get(url, {"quantity": bad, "export": "csv"})["Content-Type"].startswith("text/html"), bad


def test_a_user_without_a_manufacturing_role_is_refused(client, company, desk):
    seller = UserFactory(username="seller", companies=[company], roles=["Sales / Manager"])
    client.force_login(seller)
    for url in (BOMS, f"{BOMS}{desk.pk}/change/", f"{BOMS}{desk.pk}/structure/", ROUTINGS, CENTRES, f"{BOMS}add/"):
        assert client.get(url).status_code == 403, url
    assert BOMS not in client.get("/admin/").content.decode()


def test_the_bom_list_runs_as_many_queries_for_one_bom_as_for_three(browser, company, category, planner, workshop):
    wood = product(company, category, "Wood", cost="2")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert browser.get(BOMS).status_code == 200
        return len(captured)

    bom_save(Bom(company=company, product=product(company, category, "Stool")), [BomLineDraft(wood, D(2))], by=planner)
    one = queries()
    for name in ("Bench", "Crate"):
        bom_save(Bom(company=company, product=product(company, category, name)), [BomLineDraft(wood, D(3))], by=planner)
    assert queries() == one


def test_a_bom_changed_and_a_routing_and_work_centre_typed_through_the_forms(browser, company, desk, workshop):
    cutting, assembly = workshop
    lines = list(desk.lines.order_by("position"))
    form = bom_form(desk.product, [], version="1")
    form |= {"routing": desk.routing_id, "lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "3"}
    for n, line in enumerate(lines):
        form |= {f"lines-{n}-id": line.pk, f"lines-{n}-bom": desk.pk, f"lines-{n}-product": line.product_id,
                 f"lines-{n}-quantity": "3" if n == 1 else str(line.quantity), f"lines-{n}-uom": line.uom_id,
                 f"lines-{n}-scrap_percent": str(line.scrap_percent)}  # fmt: skip
    form["lines-2-DELETE"] = "on"  # the fixings kit
    response = browser.post(f"{BOMS}{desk.pk}/change/", form)
    assert response.status_code == 302, [f.formset.errors for f in response.context["inline_admin_formsets"]]
    assert [(line.product.name, line.quantity) for line in desk.lines.order_by("position")] == [("Desk top", D(1)), ("Leg", D(3))]
    assert "Components" in browser.get(f"{BOMS}{desk.pk}/history/").content.decode()

    routing = {"name": "Finish", "active": "on", "operations-TOTAL_FORMS": "3", "operations-INITIAL_FORMS": "0",
               "operations-MIN_NUM_FORMS": "0", "operations-MAX_NUM_FORMS": "1000"}  # fmt: skip
    operations = [("Sand", cutting, "5", "2"), ("Pack", assembly, "0", "1.5"), ("", "", "0", "0")]
    for n, (name, centre, setup, run) in enumerate(operations):
        routing |= {f"operations-{n}-sequence": "", f"operations-{n}-name": name,
                    f"operations-{n}-work_centre": getattr(centre, "pk", ""), f"operations-{n}-setup_minutes": setup,
                    f"operations-{n}-run_minutes": run}  # fmt: skip
    response = browser.post(f"{ROUTINGS}add/", routing)
    assert response.status_code == 302, [f.formset.errors for f in response.context["inline_admin_formsets"]]
    finish = Routing.objects.get(name="Finish")
    assert list(finish.operations.values_list("sequence", "name", "work_centre", "setup_minutes", "run_minutes")) == [
        (10, "Sand", cutting.pk, D(5), D(2)), (20, "Pack", assembly.pk, D(0), D("1.5")),
    ]  # fmt: skip

    centre = {"code": "PNT", "name": "Painting", "hours_per_day": "7.5", "working_days": "123456", "efficiency": "90",
              "labour_cost_per_hour": "38", "machine_cost_per_hour": "4", "active": "on"}  # fmt: skip
    assert browser.post(f"{CENTRES}add/", centre).status_code == 302
    refused = browser.post(f"{CENTRES}add/", centre | {"working_days": "189"})
    assert refused.status_code == 200 and refused.context["adminform"].form.errors["working_days"]
    duplicate = browser.post(f"{CENTRES}add/", centre | {"name": "Paint shop"})
    assert duplicate.status_code == 200 and "Another work centre has this code." in duplicate.content.decode()
    assert sorted(WorkCentre.objects.values_list("code", "hours_per_day")) == [("ASM", D(8)), ("CUT", D(8)), ("PNT", D("7.5"))]
