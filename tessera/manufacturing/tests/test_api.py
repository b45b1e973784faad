"""Manufacturing through the API: work centres, a routing and a two-level BOM created; the desk's
structure and cost with the hand-computed figures; cycles, units of the wrong kind and bad quantities
answered with problem+json and nothing written; roles, other companies' ids and list queries."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal as D
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tessera.core.models import AuditEntry, Company, Currency
from tessera.core.services import company_create, system_user
from tessera.core.tests.factories import ProductCategoryFactory, UserFactory, unit
from tessera.manufacturing.models import Bom, BomByProduct, BomLine, Routing, RoutingOperation, WorkCentre
from tessera.manufacturing.services import BomLineDraft, bom_save

from .conftest import product

API = "/api/v1/manufacturing/"
CENTRES = f"{API}work-centres/"
ROUTINGS = f"{API}routings/"
BOMS = f"{API}boms/"
PROBLEM = "application/problem+json"
TABLES = (WorkCentre, Routing, RoutingOperation, Bom, BomLine, BomByProduct, AuditEntry)


def manufacturing_rows() -> dict[str, object]:
    """Rows per table, and what each BOM, line and operation holds."""
    result: dict[str, object] = {model.__name__: model.objects.count() for model in TABLES}
    result["boms"] = sorted(Bom.objects.values_list("pk", "product_id", "version", "kind", "quantity", "routing_id", "active"))
    result["lines"] = sorted(BomLine.objects.values_list("pk", "bom_id", "product_id", "quantity", "uom_id", "scrap_percent"))
    result["operations"] = sorted(RoutingOperation.objects.values_list("pk", "routing_id", "name", "work_centre_id"))
    result["centres"] = sorted(WorkCentre.objects.values_list("pk", "code", "name", "efficiency"))
    return result


@contextmanager
def nothing_written() -> Iterator[None]:
    before = manufacturing_rows()
    yield
    assert manufacturing_rows() == before


def assert_problem(response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = json.loads(response.content)
    assert (body["status"], body["code"]) == (status, code)
    return body


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def created(client: APIClient, url: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(url, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def structure(client: APIClient, bom_id: int, **params: str):
    return client.get(f"{BOMS}{bom_id}/structure/", params)


@pytest.fixture
def rival(db):
    return company_create(
        Company(name="Concurrent SA", country="BE", currency=Currency.objects.get(code="EUR"), vat="BE0403170701"),
        by=system_user(),
    )


# --- creating ------------------------------------------------------------------------------------


def test_work_centres_a_routing_and_a_two_level_bom_are_created(api, company, category):
    saw = created(api, CENTRES, {"code": "SAW", "name": "Panel saw", "efficiency": "80", "labour_cost_per_hour": "40",
                                 "machine_cost_per_hour": "20"})  # fmt: skip
    assert saw == {
        "id": saw["id"], "code": "SAW", "name": "Panel saw", "hours_per_day": "8.00", "working_days": "12345",
        "efficiency": "80.00", "labour_cost_per_hour": "40.000000", "machine_cost_per_hour": "20.000000",
        "cost_per_hour": "60.000000", "active": True,
    }  # fmt: skip
    bench = created(api, CENTRES, {"code": "BENCH", "name": "Bench", "labour_cost_per_hour": "45", "working_days": "123456"})
    assert (bench["cost_per_hour"], bench["working_days"], bench["efficiency"]) == ("45.000000", "123456", "100.00")
    with nothing_written():
        problem = assert_problem(api.post(CENTRES, {"code": "SAW", "name": "Again", "working_days": "1288"}, format="json"),
                                 400, "invalid")  # fmt: skip
        assert sorted(problem["errors"]) == ["code", "working_days"]
        assert problem["errors"]["working_days"] == ["Give the working weekdays as digits 1 (Monday) to 7 (Sunday), each once."]
        problem = assert_problem(api.patch(f"{CENTRES}{saw['id']}/", {"efficiency": "0", "hours_per_day": "25"}, format="json"),
                                 400, "invalid")  # fmt: skip
        assert sorted(problem["errors"]) == ["efficiency", "hours_per_day"]

    routing = created(api, ROUTINGS, {"name": "Cut and edge a top", "operations": [
        {"name": "Cut", "work_centre": saw["id"], "setup_minutes": "15", "run_minutes": "10"},
        {"name": "Edge", "work_centre": bench["id"], "run_minutes": "4"},
    ]})  # fmt: skip
    assert (routing["name"], routing["active"]) == ("Cut and edge a top", True)
    assert [{key: op[key] for key in ("sequence", "name", "work_centre", "setup_minutes", "run_minutes")}
            for op in routing["operations"]] == [
        {"sequence": 10, "name": "Cut", "work_centre": saw["id"], "setup_minutes": "15.000", "run_minutes": "10.000"},
        {"sequence": 20, "name": "Edge", "work_centre": bench["id"], "setup_minutes": "0.000", "run_minutes": "4.000"},
    ]  # fmt: skip
    renamed = api.patch(f"{ROUTINGS}{routing['id']}/", {"name": "Top"}, format="json")  # its operations are kept
    assert (renamed.status_code, renamed.json()["name"], len(renamed.json()["operations"])) == (200, "Top", 2)
    with nothing_written():
        problem = assert_problem(api.patch(f"{ROUTINGS}{routing['id']}/", {"operations": [{}]}, format="json"), 400, "invalid")
        assert sorted(problem["errors"]) == ["operations.0.name", "operations.0.work_centre"]

    board, top, leg, desk = (product(company, category, name, cost, uom) for name, cost, uom in (
        ("Board", "20", "m²"), ("Top", "0", "Unit"), ("Leg", "3", "Unit"), ("Desk", "0", "Unit")))  # fmt: skip
    offcut = product(company, category, "Offcut", uom="m²")
    sub = created(api, BOMS, {"product": top.pk, "routing": routing["id"], "lines": [{"product": board.pk, "quantity": "1.2"}],
                              "by_products": [{"product": offcut.pk, "quantity": "0.15"}]})  # fmt: skip
    assert {key: sub[key] for key in ("product", "version", "kind", "quantity", "uom", "routing", "date_start", "active")} == {
        "product": top.pk, "version": "1", "kind": "manufacture", "quantity": "1.000000", "uom": top.uom_id,
        "routing": routing["id"], "date_start": None, "active": True,
    }  # fmt: skip
    assert [(line["product"], line["quantity"], line["uom"], line["scrap_percent"]) for line in sub["lines"]] == [
        (board.pk, "1.200000", unit("m²").pk, "0.0000"),
    ]
    assert [(row["product"], row["quantity"], row["uom"]) for row in sub["by_products"]] == [
        (offcut.pk, "0.150000", offcut.uom_id)
    ]
    main = created(api, BOMS, {"product": desk.pk, "quantity": "2", "lines": [
        {"product": top.pk, "quantity": "2"}, {"product": leg.pk, "quantity": "8", "scrap_percent": "5"},
    ]})  # fmt: skip
    assert [(line["product"], line["quantity"], line["scrap_percent"]) for line in main["lines"]] == [
        (top.pk, "2.000000", "0.0000"), (leg.pk, "8.000000", "5.0000"),
    ]  # fmt: skip
    # Two desks: 2 tops of (1.2 m² × 20.00 + (15 + 10) min / 80 % at 60.00 + 4 min at 45.00 = 58.25 for one; 15 min setup once)
    # and 8.4 legs of 3.00. For one desk: 24.00 + 12.50 + 3.00 + 18.75 setup + 12.60 legs = 70.85.
    report = structure(api, main["id"], quantity="1").json()
    assert [(row["level"], row["product_name"] or row["operation"], row["kind"], row["quantity"], row["cost"])
            for row in report["rows"]] == [
        (1, "Top", "made", "1.000000", "58.25"),
        (2, "Board", "bought", "1.200000", "24.00"),
        (2, "Cut", "operation", "31.250000", "31.25"),
        (2, "Edge", "operation", "4.000000", "3.00"),
        (1, "Leg", "bought", "4.200000", "12.60"),
    ]  # fmt: skip
    assert (report["material_cost"], report["operation_cost"], report["cost"], report["unit_cost"]) == (
        "70.85", "0.00", "70.85", "70.85")  # fmt: skip

    replaced = api.patch(f"{BOMS}{main['id']}/", {"lines": [{"product": leg.pk, "quantity": "4"}]}, format="json")
    assert replaced.status_code == 200, replaced.content
    assert [(line["product"], line["quantity"]) for line in replaced.json()["lines"]] == [(leg.pk, "4.000000")]
    assert list(BomLine.objects.filter(bom_id=main["id"]).values_list("product_id", flat=True)) == [leg.pk]
    assert api.delete(f"{BOMS}{main['id']}/").status_code == 204
    assert (Bom.objects.filter(pk=main["id"]).exists(), BomLine.objects.filter(bom_id=main["id"]).exists()) == (False, False)
    with nothing_written():  # the routing's work centres are in use
        problem = assert_problem(api.delete(f"{CENTRES}{saw['id']}/"), 409, "in_use")
        assert problem["detail"] == "[SAW] Panel saw is used by routing operations and cannot be deleted. Archive it instead."


# --- the structure and cost report ---------------------------------------------------------------


def test_the_structure_of_the_desk_has_the_figures_worked_out_by_hand(api, desk):
    ids = {line.product.name: line.product_id for line in BomLine.objects.select_related("product")}
    cutting, assembly = WorkCentre.objects.get(code="CUT"), WorkCentre.objects.get(code="ASM")
    response = structure(api, desk.pk)
    assert response.status_code == 200, response.content
    one = response.json()
    assert (one["bom"], one["product"], one["quantity"]) == (desk.pk, desk.product_id, "1.000000")
    assert [tuple(row.values()) for row in one["rows"]] == [
        (1, "made", ids["Desk top"], "Desk top", unit().pk, "1.000000", "55.25", None, None, None),
        (2, "bought", ids["Board"], "Board", unit("m²").pk, "1.200000", "24.00", None, None, None),
        (2, "operation", None, None, None, "31.250000", "31.25", "Cut", cutting.pk, "Cutting"),
        (1, "bought", ids["Leg"], "Leg", unit().pk, "4.200000", "12.60", None, None, None),
        (1, "kit", ids["Fixings kit"], "Fixings kit", unit().pk, "1.000000", "3.40", None, None, None),
        (2, "bought", ids["Screw"], "Screw", unit().pk, "8.000000", "0.40", None, None, None),
        (2, "bought", ids["Bracket"], "Bracket", unit().pk, "2.000000", "3.00", None, None, None),
        (1, "operation", None, None, None, "20.000000", "15.00", "Assemble", assembly.pk, "Assembly"),
    ]  # fmt: skip
    assert list(one["rows"][0]) == ["level", "kind", "product", "product_name", "uom", "quantity", "cost", "operation",
                                    "work_centre", "work_centre_name"]  # fmt: skip
    assert (one["material_cost"], one["operation_cost"], one["cost"], one["unit_cost"]) == ("71.25", "15.00", "86.25", "86.25")

    ten = structure(api, desk.pk, quantity="10").json()  # the cutting setup is paid once for ten
    assert [(row["quantity"], row["cost"]) for row in ten["rows"]] == [
        ("10.000000", "383.75"), ("12.000000", "240.00"), ("143.750000", "143.75"), ("42.000000", "126.00"),
        ("10.000000", "34.00"), ("80.000000", "4.00"), ("20.000000", "30.00"), ("200.000000", "150.00"),
    ]  # fmt: skip
    # 693.75 / 10 = 69.375, rounded half up
    assert (ten["quantity"], ten["material_cost"], ten["operation_cost"], ten["cost"], ten["unit_cost"]) == (
        "10.000000", "543.75", "150.00", "693.75", "69.38")  # fmt: skip
    # 67.50 a desk plus 18.75 of setup: 4 desks cost 288.75, 72.1875 each → 72.19
    four = structure(api, desk.pk, quantity="4").json()
    assert (four["cost"], four["unit_cost"]) == ("288.75", "72.19")
    # 0.1 desk: 6.75 + 18.75 = 25.50; 0.8 screws at 0.05 = 0.04; the assembly 2 min at 45.00 = 1.50
    tenth = structure(api, desk.pk, quantity="0.1").json()
    assert [row["cost"] for row in tenth["rows"] if row["product_name"] == "Screw"] == ["0.04"]
    assert (tenth["cost"], tenth["unit_cost"], tenth["operation_cost"]) == ("25.50", "255.00", "1.50")
    huge = structure(api, desk.pk, quantity="99999999999999").json()  # the largest quantity accepted: exact, no overflow
    assert (huge["cost"], huge["quantity"]) == ("6749999999999951.25", "99999999999999.000000")


def test_a_cost_is_rounded_half_up(api, company, category, planner):
    washer, pack = product(company, category, "Washer", cost="0.125"), product(company, category, "Pack")
    bom = bom_save(Bom(company=company, product=pack), [BomLineDraft(washer, D(1))], by=planner)
    report = structure(api, bom.pk).json()  # 0.125 is 0.13 half up, 0.12 half even
    assert ([row["cost"] for row in report["rows"]], report["cost"], report["unit_cost"]) == (["0.13"], "0.13", "0.13")
    assert structure(api, bom.pk, quantity="3").json()["cost"] == "0.38"  # 0.375


def test_a_bad_quantity_is_refused(api, desk):
    for bad, message in (("0", "Give a quantity above zero."), ("-2", "Give a quantity above zero."),
                         ("two", "A valid number is required."), ("NaN", "A valid number is required."),
                         ("Infinity", "A valid number is required."),
                         ("1.0000001", "Ensure that there are no more than 6 decimal places."),
                         ("100000000000000", "Ensure that there are no more than 14 digits before the decimal point."),
                         ):  # fmt: skip
        problem = assert_problem(structure(api, desk.pk, quantity=bad), 400, "invalid")
        assert problem["errors"] == {"quantity": [message]}, bad
    assert structure(api, desk.pk, quantity="").json()["quantity"] == "1.000000"  # an empty parameter is an omitted one


# --- refused input -------------------------------------------------------------------------------


def test_a_bom_cycle_is_refused_and_nothing_is_written(api, company, desk):
    top = desk.lines.get(position=0).product
    with nothing_written():
        problem = assert_problem(api.post(BOMS, {"product": top.pk, "version": "2", "lines": [
            {"product": desk.product_id, "quantity": "1"}]}, format="json"), 400, "bom_cycle")  # fmt: skip
        assert problem["detail"] == "This bill of materials would make a product contain itself: Desk top → Desk → Desk top."
        assert problem["errors"] == {"lines": [problem["detail"]]}
        problem = assert_problem(api.post(BOMS, {"product": top.pk, "lines": [{"product": top.pk, "quantity": "1"}]},
                                          format="json"), 400, "bom_cycle")  # fmt: skip
        assert problem["errors"] == {"lines.0.product": ["Line 1: a product cannot be a component of itself."]}
        sub = Bom.objects.get(product=top)
        problem = assert_problem(api.patch(f"{BOMS}{sub.pk}/", {"lines": [{"product": desk.product_id, "quantity": "1"}]},
                                           format="json"), 400, "bom_cycle")  # fmt: skip


def test_boms_that_came_to_contain_each_other_are_reported_not_exploded_for_ever(api, company, category):
    """bom_save checks cycles among the BOMs in force today: two dated ones can close a cycle later (here
    written directly, as an import would)."""
    chest, drawer = product(company, category, "Chest"), product(company, category, "Drawer")
    for made, part in ((chest, drawer), (drawer, chest)):
        bom = Bom.objects.create(company=company, product=made, uom=made.uom)
        BomLine.objects.create(company=company, bom=bom, product=part, quantity=D(1), uom=part.uom)
    problem = assert_problem(structure(api, Bom.objects.get(product=chest).pk), 409, "bom_cycle")
    assert problem["detail"] == "These bills of materials make a product contain itself: Chest → Drawer → Chest."


def test_a_unit_of_the_wrong_kind_and_other_bad_lines_are_refused(api, company, category):
    chair, beech = product(company, category, "Chair"), product(company, category, "Beech", uom="m²")
    with nothing_written():
        body = {"product": chair.pk, "lines": [{"product": beech.pk, "quantity": "2", "uom": unit("kg").pk}]}
        problem = assert_problem(api.post(BOMS, body, format="json"), 400, "invalid")
        assert problem["errors"] == {"lines.0.uom": ["Line 1: [BEECH] Beech is counted in m²; kg measures something else."]}
        body = {"product": chair.pk, "uom": unit("kg").pk, "lines": [{"product": beech.pk, "quantity": "2"}]}
        problem = assert_problem(api.post(BOMS, body, format="json"), 400, "invalid")
        assert list(problem["errors"]) == ["uom"]
        body = {"product": chair.pk, "lines": [{"product": beech.pk, "quantity": "2"}],
                "by_products": [{"product": beech.pk, "quantity": "1", "uom": unit("kg").pk}]}  # fmt: skip
        assert list(assert_problem(api.post(BOMS, body, format="json"), 400, "invalid")["errors"]) == ["by_products.0.uom"]
        problem = assert_problem(api.post(BOMS, {"product": chair.pk, "lines": []}, format="json"), 400, "empty_bom")
        assert problem["errors"] == {"lines": ["Add at least one component."]}
        body = {"product": chair.pk, "quantity": "0", "date_start": "2026-02-01", "date_end": "2026-01-01", "lines": [
            {"product": beech.pk, "quantity": "0", "scrap_percent": "120"}, {"quantity": "1"},
            {"product": 999999, "quantity": "1"}]}  # fmt: skip
        problem = assert_problem(api.post(BOMS, body, format="json"), 400, "invalid")
        assert sorted(problem["errors"]) == ["lines.0.quantity", "lines.0.scrap_percent", "lines.1.product", "lines.2.product",
                                             "quantity"]  # fmt: skip
        body = {"product": chair.pk, "date_start": "2026-02-01", "date_end": "2026-01-01",
                "lines": [{"product": beech.pk, "quantity": "1"}]}  # fmt: skip
        assert list(assert_problem(api.post(BOMS, body, format="json"), 400, "invalid")["errors"]) == ["date_end"]
    bom = created(api, BOMS, {"product": chair.pk, "lines": [{"product": beech.pk, "quantity": "2"}]})
    with nothing_written():  # on PATCH, replaced lines are validated in full
        problem = assert_problem(api.patch(f"{BOMS}{bom['id']}/", {"lines": [{}], "by_products": [{}]}, format="json"), 400,
                                 "invalid")  # fmt: skip
        assert sorted(problem["errors"]) == ["by_products.0.product", "by_products.0.quantity", "lines.0.product",
                                             "lines.0.quantity"]  # fmt: skip


# --- roles, companies, queries -------------------------------------------------------------------


def test_a_manufacturing_user_writes_boms_but_not_work_centres(company, category, desk):
    user = client_for(UserFactory(username="operator", companies=[company], roles=["Manufacturing / User"]))
    stool, oak = product(company, category, "Stool"), product(company, category, "Oak")
    bom = created(user, BOMS, {"product": stool.pk, "lines": [{"product": oak.pk, "quantity": "3"}]})
    patched = user.patch(f"{BOMS}{bom['id']}/", {"note": "Oiled", "lines": [{"product": oak.pk, "quantity": "2.5"}]},
                         format="json")  # fmt: skip
    assert (patched.status_code, patched.json()["note"], patched.json()["lines"][0]["quantity"]) == (200, "Oiled", "2.500000")
    assert user.get(BOMS).json()["count"] == 4
    assert structure(user, desk.pk).json()["cost"] == "86.25"
    cutting = WorkCentre.objects.get(code="CUT")
    assert user.get(f"{CENTRES}{cutting.pk}/").json()["code"] == "CUT"
    assert user.get(ROUTINGS).json()["count"] == 2
    with nothing_written():
        assert_problem(user.delete(f"{CENTRES}{cutting.pk}/"), 403, "permission_denied")
        assert_problem(user.patch(f"{CENTRES}{cutting.pk}/", {"name": "Mine"}, format="json"), 403, "permission_denied")
        assert_problem(user.post(CENTRES, {"code": "NEW", "name": "New"}, format="json"), 403, "permission_denied")
        assert_problem(user.post(ROUTINGS, {"name": "New", "operations": []}, format="json"), 403, "permission_denied")
        assert_problem(user.delete(f"{BOMS}{bom['id']}/"), 403, "permission_denied")
    nobody = client_for(UserFactory(username="clerk", companies=[company], roles=[]))
    assert_problem(nobody.get(BOMS), 403, "permission_denied")
    assert_problem(structure(nobody, desk.pk), 403, "permission_denied")


def test_another_companys_records_are_not_found(api, company, category, rival, desk):
    boss = UserFactory(username="rival", companies=[rival], roles=["Manufacturing / Manager"])
    other = ProductCategoryFactory(company=rival, name="Theirs")
    theirs_product, their_part = product(rival, other, "Cabinet"), product(rival, other, "Hinge", cost="2")
    theirs = bom_save(Bom(company=rival, product=theirs_product), [BomLineDraft(their_part, D(2))], by=boss)
    their_centre = WorkCentre.objects.create(company=rival, code="CUT", name="Their saw")
    their_routing = Routing.objects.create(company=rival, name="Theirs")
    assert sorted(row["id"] for row in api.get(BOMS).json()["results"]) == sorted(
        Bom.objects.filter(company=company).values_list("pk", flat=True)
    )
    assert api.get(BOMS).json()["count"] == 3
    url = f"{BOMS}{theirs.pk}/"
    with nothing_written():
        for response in (api.get(url), api.patch(url, {"note": "Mine"}, format="json"), api.delete(url),
                         structure(api, theirs.pk), api.get(f"{CENTRES}{their_centre.pk}/"),
                         api.delete(f"{CENTRES}{their_centre.pk}/"),
                         api.get(f"{ROUTINGS}{their_routing.pk}/"), api.get(f"{url}history/")):  # fmt: skip
            assert_problem(response, 404, "not_found")
        leg = Bom.objects.get(pk=desk.pk).lines.get(position=1).product
        lines = [{"product": their_part.pk, "quantity": "1"}, {"product": leg.pk, "quantity": "1"}]
        problem = assert_problem(api.post(BOMS, {"product": theirs_product.pk, "lines": lines}, format="json"), 400, "invalid")
        assert sorted(problem["errors"]) == ["lines.0.product", "product"]
        body = {"name": "Mine", "operations": [{"name": "Cut", "work_centre": their_centre.pk}]}
        assert list(assert_problem(api.post(ROUTINGS, body, format="json"), 400, "invalid")["errors"]) == [
            "operations.0.work_centre"]  # fmt: skip
        body = {"product": leg.pk, "routing": their_routing.pk, "lines": [{"product": desk.product_id, "quantity": "1"}]}
        assert list(assert_problem(api.post(BOMS, body, format="json"), 400, "invalid")["errors"]) == ["routing"]


def test_lists_cost_the_same_queries_whatever_their_length(api, company, category, workshop):
    cutting, assembly = workshop
    parts = [product(company, category, f"Part {n}") for n in range(3)]

    def add(n: int) -> None:
        routing = created(api, ROUTINGS, {"name": f"Route {n}", "operations": [
            {"name": "Cut", "work_centre": cutting.pk}, {"name": "Assemble", "work_centre": assembly.pk}]})  # fmt: skip
        made = product(company, category, f"Made {n}")
        lines = [{"product": part.pk, "quantity": "1"} for part in parts]
        by_products = [{"product": parts[0].pk, "quantity": "1"}]
        created(api, BOMS, {"product": made.pk, "routing": routing["id"], "lines": lines, "by_products": by_products})

    def queries(url: str, count: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = api.get(url)
        assert (response.status_code, response.json()["count"]) == (200, count), response.content
        return len(captured)

    add(0)
    api.get(BOMS)  # the user's permissions and company read once
    first = Bom.objects.get().product_id
    one = queries(BOMS, 1), queries(ROUTINGS, 1), queries(f"{BOMS}?kind=manufacture&active=true", 1)
    add(1)
    add(2)
    assert (queries(BOMS, 3), queries(ROUTINGS, 3), queries(f"{BOMS}?kind=manufacture&active=true", 3)) == one
    assert queries(CENTRES, 2) == queries(f"{CENTRES}?active=true", 2)
    assert api.get(BOMS, {"kind": "kit"}).json()["count"] == 0
    assert [row["product"] for row in api.get(BOMS, {"product": first}).json()["results"]] == [first]
    assert_problem(api.get(BOMS, {"kind": "phantom"}), 400, "invalid")
