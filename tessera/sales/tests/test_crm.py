import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tessera.core.errors import BusinessError, InvalidInput, NotAllowed
from tessera.core.models import Company, Currency, Partner
from tessera.core.services import company_create, system_user
from tessera.core.tests.factories import PartnerFactory, UserFactory
from tessera.core.tests.test_api_errors import assert_problem
from tessera.sales.crm_queries import overdue_activities, pipeline_forecast
from tessera.sales.models import Activity, ActivityKind, Lead, LeadKind, LeadState, LostReason, SaleOrder, Stage
from tessera.sales.services import (
    OrderLineDraft,
    activity_done,
    activity_schedule,
    lead_convert,
    lead_save,
    opportunity_mark_lost,
    opportunity_mark_won,
    opportunity_move_stage,
    opportunity_quote,
)

D = Decimal
ZERO = D(0)


@pytest.fixture
def stages(company):
    return {stage.name: stage for stage in Stage.objects.filter(company=company)}


@pytest.fixture
def too_expensive(company):
    return LostReason.objects.create(company=company, name="Too expensive")


@pytest.fixture
def other_company(db):
    return company_create(Company(name="Ander BV", country="BE", currency=Currency.objects.get(code="EUR")), by=system_user())


def opportunity(company, by, name, revenue, closing, *, salesperson=None, stage=None, probability=ZERO, partner=None):
    lead = Lead(company=company, kind=LeadKind.OPPORTUNITY, name=name, expected_revenue=D(revenue), probability=probability,
                expected_closing=closing, salesperson=salesperson, stage=stage, partner=partner)  # fmt: skip
    return lead_save(lead, by=by)


def test_a_new_company_gets_the_default_stages(company):
    rows = list(Stage.objects.filter(company=company).values_list("name", "sequence", "probability", "is_won"))
    assert rows == [("New", 10, D("10.00"), False), ("Qualified", 20, D("30.00"), False),
                    ("Proposition", 30, D("60.00"), False), ("Won", 40, D("100.00"), True)]  # fmt: skip


def test_a_lead_is_converted_into_an_opportunity_with_a_new_customer(company, salesman, stages):
    lead = lead_save(Lead(company=company, name="50 desks for the new office", contact_name="An Peeters",
                          company_name="Peeters BV", email="an@peeters.be", phone="+32 9 123 45 67"), by=salesman)  # fmt: skip
    assert (lead.kind, lead.state, lead.stage_id, lead.probability) == (LeadKind.LEAD, LeadState.OPEN, None, D(0))

    lead = lead_convert(lead, by=salesman, create_partner=True, salesperson=salesman)

    partner = Partner.objects.get(company=company, name="Peeters BV")
    assert (partner.email, partner.phone, partner.is_customer, partner.is_company) == ("an@peeters.be", "+32 9 123 45 67",
                                                                                       True, True)  # fmt: skip
    lead.refresh_from_db()
    assert (lead.kind, lead.partner, lead.stage, lead.probability, lead.salesperson) == (
        LeadKind.OPPORTUNITY, partner, stages["New"], D("10.00"), salesman)  # fmt: skip
    with pytest.raises(BusinessError, match="already an opportunity or closed"):
        lead_convert(lead, by=salesman)


def test_converting_with_a_foreign_partner_writes_nothing(company, other_company, salesman):
    lead = lead_save(Lead(company=company, name="Chairs"), by=salesman)
    foreign = PartnerFactory(company=other_company, name="Buitenland BV")
    with pytest.raises(InvalidInput, match="is not a partner of this company") as error:
        lead_convert(lead, by=salesman, partner=foreign)
    assert error.value.field == "partner"
    with pytest.raises(InvalidInput, match="Either choose a customer or create one"):
        lead_convert(lead, by=salesman, partner=PartnerFactory(company=company), create_partner=True)
    lead.refresh_from_db()
    assert (lead.kind, lead.partner_id) == (LeadKind.LEAD, None)


def test_moving_an_opportunity_takes_the_stage_probability_unless_typed(company, salesman, stages):
    deal = opportunity(company, salesman, "Desks", "10000", datetime.date(2026, 3, 15))
    assert (deal.stage, deal.probability) == (stages["New"], D("10.00"))

    deal = opportunity_move_stage(deal, stages["Proposition"], by=salesman)
    assert (deal.stage, deal.probability, deal.state) == (stages["Proposition"], D("60.00"), LeadState.OPEN)
    deal = opportunity_move_stage(deal, stages["Qualified"], by=salesman, probability=D("45"))
    assert (deal.stage, deal.probability) == (stages["Qualified"], D("45"))

    with pytest.raises(InvalidInput, match="between 0 and 100"):
        opportunity_move_stage(deal, stages["New"], by=salesman, probability=D("101"))
    deal.refresh_from_db()
    assert (deal.stage, deal.probability) == (stages["Qualified"], D("45.00"))

    deal = opportunity_move_stage(deal, stages["Won"], by=salesman)
    assert (deal.state, deal.probability, deal.closed_on is not None) == (LeadState.WON, D(100), True)
    with pytest.raises(BusinessError, match="Opportunity Desks is already Won"):
        opportunity_move_stage(deal, stages["New"], by=salesman)


def test_a_lead_cannot_be_moved_nor_into_a_foreign_stage(company, other_company, salesman, stages):
    lead = lead_save(Lead(company=company, name="Maybe"), by=salesman)
    with pytest.raises(BusinessError, match="convert it into an opportunity first"):
        opportunity_move_stage(lead, stages["Qualified"], by=salesman)
    deal = opportunity(company, salesman, "Tables", "500", None)
    with pytest.raises(InvalidInput, match="is not a stage of this company"):
        opportunity_move_stage(deal, Stage.objects.get(company=other_company, name="Qualified"), by=salesman)
    deal.refresh_from_db()
    assert deal.stage == stages["New"]


def test_probability_above_100_is_refused_on_save(company, salesman):
    with pytest.raises(InvalidInput) as error:
        opportunity(company, salesman, "Too sure", "100", None, probability=D("120"))
    assert "probability" in error.value.errors
    assert not Lead.objects.filter(company=company).exists()


def test_lost_needs_a_reason_of_the_company(company, other_company, salesman, too_expensive):
    deal = opportunity(company, salesman, "Cabinets", "2000", None)
    with pytest.raises(InvalidInput, match="Give the reason this opportunity was lost") as error:
        opportunity_mark_lost(deal, None, by=salesman)
    assert error.value.field == "lost_reason"
    foreign = LostReason.objects.create(company=other_company, name="Too late")
    with pytest.raises(InvalidInput, match="is not a lost reason of this company"):
        opportunity_mark_lost(deal, foreign, by=salesman)
    deal.refresh_from_db()
    assert (deal.state, deal.lost_reason_id, deal.probability) == (LeadState.OPEN, None, D("10.00"))

    deal = opportunity_mark_lost(deal, too_expensive, by=salesman, note="Went with a cheaper shop")
    assert (deal.state, deal.lost_reason, deal.probability, deal.description) == (
        LeadState.LOST, too_expensive, D(0), "Went with a cheaper shop")  # fmt: skip
    with pytest.raises(BusinessError, match="is already Lost"):
        opportunity_mark_won(deal, by=salesman)
    with pytest.raises(BusinessError, match="is closed; it can no longer be changed"):
        deal.name = "Renamed"
        lead_save(deal, by=salesman)


def test_won_goes_into_the_won_stage(company, salesman, stages):
    deal = opportunity(company, salesman, "Lamps", "800", None)
    deal = opportunity_mark_won(deal, by=salesman)
    assert (deal.state, deal.stage, deal.probability) == (LeadState.WON, stages["Won"], D(100))


def test_quoting_an_opportunity_makes_a_linked_draft_order(company, salesman, seller, customer, desk, warehouse):
    deal = opportunity(company, salesman, "Office", "5000", None, salesperson=salesman)
    with pytest.raises(InvalidInput, match="Link Office to a customer before quoting it"):
        opportunity_quote(deal, by=seller)
    assert not SaleOrder.objects.exists()

    deal.partner = customer
    deal = lead_save(deal, by=salesman)
    order = opportunity_quote(deal, [OrderLineDraft(desk, D(4))], by=seller)
    deal.refresh_from_db()
    assert deal.order == order
    assert (order.partner, order.salesperson, order.state, order.amount_untaxed) == (customer, salesman, "draft", D("1000.0000"))
    assert order.opportunities.get() == deal
    with pytest.raises(BusinessError, match="already has quotation"):
        opportunity_quote(deal, by=seller)
    assert SaleOrder.objects.count() == 1


def test_a_quotation_with_a_bad_line_writes_nothing(company, seller, customer, desk, warehouse):
    deal = opportunity(company, seller, "Office", "5000", None, partner=customer)
    with pytest.raises(InvalidInput, match="Line 1"):
        opportunity_quote(deal, [OrderLineDraft(desk, D(-1))], by=seller)
    deal.refresh_from_db()
    assert (deal.order_id, SaleOrder.objects.count()) == (None, 0)


def test_the_forecast_weighs_open_opportunities_by_month_and_salesperson(company, salesman, seller, stages, too_expensive):
    opportunity(company, salesman, "A", "10000", datetime.date(2026, 3, 2), salesperson=salesman)  # New 10 %: 1000
    b = opportunity(company, salesman, "B", "3333.33", datetime.date(2026, 3, 31), salesperson=salesman)
    opportunity_move_stage(b, stages["Proposition"], by=salesman)  # 60 %: 1999.998 → 2000.00
    c = opportunity(company, salesman, "C", "2500", datetime.date(2026, 3, 10), salesperson=seller)
    opportunity_move_stage(c, stages["Qualified"], by=salesman, probability=D("25"))  # 625.00
    opportunity(company, salesman, "D", "4000", datetime.date(2026, 4, 1), salesperson=salesman)  # 400.00
    opportunity(company, salesman, "E", "900", None)  # 90.00, no date, nobody
    opportunity_mark_won(opportunity(company, salesman, "Won", "7000", datetime.date(2026, 3, 5), salesperson=salesman),
                         by=salesman)  # fmt: skip
    opportunity_mark_lost(opportunity(company, salesman, "Lost", "8000", datetime.date(2026, 3, 5), salesperson=salesman),
                          too_expensive, by=salesman)  # fmt: skip
    lead_save(Lead(company=company, name="Not qualified", expected_revenue=D(9000), probability=D(50),
                   expected_closing=datetime.date(2026, 3, 5)), by=salesman)  # fmt: skip

    rows = [(r.month, r.salesperson, r.count, r.expected_revenue, r.weighted_revenue) for r in pipeline_forecast(company)]
    assert rows == [
        (datetime.date(2026, 3, 1), "salesman", 2, D("13333.3300"), D("3000.00")),
        (datetime.date(2026, 3, 1), "seller", 1, D("2500.0000"), D("625.00")),
        (datetime.date(2026, 4, 1), "salesman", 1, D("4000.0000"), D("400.00")),
        (None, "", 1, D("900.0000"), D("90.00")),
    ]
    march = pipeline_forecast(company, salesperson=salesman, date_from=datetime.date(2026, 3, 1),
                              date_to=datetime.date(2026, 3, 31))  # fmt: skip
    assert [(r.month, r.weighted_revenue) for r in march] == [(datetime.date(2026, 3, 1), D("3000.00"))]


def test_activities_are_scheduled_done_and_listed_when_overdue(company, other_company, salesman, seller):
    deal = opportunity(company, salesman, "Desks", "1000", None)
    call = activity_schedule(Activity(company=company, lead=deal, kind=ActivityKind.CALL, summary="Call back",
                                      due_date=datetime.date(2026, 3, 1), assigned_to=salesman), by=salesman)  # fmt: skip
    meeting = activity_schedule(Activity(company=company, lead=deal, kind=ActivityKind.MEETING, summary="Show room",
                                         due_date=datetime.date(2026, 2, 20), assigned_to=seller), by=salesman)  # fmt: skip
    activity_schedule(Activity(company=company, lead=deal, kind=ActivityKind.EMAIL, summary="Send prices",
                               due_date=datetime.date(2026, 3, 10)), by=salesman)  # fmt: skip
    today = datetime.date(2026, 3, 5)
    assert [a.summary for a in overdue_activities(company, today=today)] == ["Show room", "Call back"]
    assert [a.summary for a in overdue_activities(company, today=today, user=salesman)] == ["Call back"]

    meeting = activity_done(meeting, by=salesman, on=datetime.date(2026, 3, 4))
    assert (meeting.done, meeting.done_on) == (True, datetime.date(2026, 3, 4))
    assert [a.summary for a in overdue_activities(company, today=today)] == ["Call back"]
    with pytest.raises(BusinessError, match="already done"):
        activity_done(meeting, by=salesman)
    with pytest.raises(BusinessError, match="This activity is done"):
        meeting.summary = "Again"
        activity_schedule(meeting, by=salesman)

    stranger = UserFactory(username="stranger", companies=[other_company], roles=["Sales / User"])
    with pytest.raises(InvalidInput, match="stranger does not work for this company"):
        call.assigned_to = stranger
        activity_schedule(call, by=salesman)
    call.refresh_from_db()
    assert call.assigned_to == salesman
    with pytest.raises(NotAllowed):
        activity_done(call, by=stranger)
    assert Activity.objects.filter(done=True).count() == 1


def test_an_activity_on_a_foreign_lead_is_refused(company, other_company, salesman):
    foreign = Lead.objects.create(company=other_company, name="Elsewhere")
    with pytest.raises(InvalidInput):
        activity_schedule(Activity(company=company, lead=foreign, summary="Call", due_date=datetime.date(2026, 3, 1)),
                          by=salesman)  # fmt: skip
    assert not Activity.objects.exists()


# --- back office -------------------------------------------------------------------------------------


@pytest.fixture
def browser(client, salesman):
    client.force_login(salesman)
    return client


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_the_crm_pages_render(browser, company, salesman, stages, customer):
    deal = opportunity(company, salesman, "Desks", "1000", None, partner=customer)
    activity_schedule(Activity(company=company, lead=deal, summary="Call", due_date=datetime.date(2020, 1, 1)), by=salesman)
    for url in ("/admin/sales/lead/pipeline/", "/admin/sales/lead/", "/admin/sales/lead/add/",
                f"/admin/sales/lead/{deal.pk}/change/", "/admin/sales/activity/?due=overdue", "/admin/sales/activity/add/",
                "/admin/sales/stage/", "/admin/sales/lostreason/",
                "/admin/sales/lead/?kind__exact=opportunity&state__exact=open"):  # fmt: skip
        assert browser.get(url).status_code == 200, url
    board = browser.get("/admin/sales/lead/pipeline/").content.decode()
    assert f'data-lead="{deal.pk}" draggable="true"' in board and f"/admin/sales/lead/{deal.pk}/move/" in board
    assert "1 opportunity, 1000.00 expected, 100.00 weighted" in board
    assert "/admin/sales/lead/pipeline/" in browser.get("/admin/").content.decode()


def test_a_lead_typed_converted_and_won_through_the_back_office(browser, company, salesman, stages):
    response = browser.post("/admin/sales/lead/add/", {
        "name": "Meeting tables", "contact_name": "Jan Claes", "company_name": "", "email": "jan@example.be", "phone": "",
        "salesperson": salesman.pk, "stage": "", "expected_revenue": "1200", "probability": "0", "expected_closing": "",
        "description": "", "partner": "",
    })  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    lead = Lead.objects.get(company=company)
    assert (lead.kind, lead.salesperson, lead.expected_revenue) == (LeadKind.LEAD, salesman, D("1200.0000"))

    browser.post(f"/admin/sales/lead/{lead.pk}/do/convert/")
    lead.refresh_from_db()
    assert (lead.kind, lead.stage, lead.partner.name, lead.partner.is_company) == (LeadKind.OPPORTUNITY, stages["New"],
                                                                                   "Jan Claes", False)  # fmt: skip
    browser.post(f"/admin/sales/lead/{lead.pk}/do/won/")
    lead.refresh_from_db()
    assert (lead.state, lead.stage) == (LeadState.WON, stages["Won"])


def test_lost_through_the_form_needs_a_reason(browser, company, salesman, too_expensive):
    deal = opportunity(company, salesman, "Desks", "1000", None)
    page = browser.post(f"/admin/sales/lead/{deal.pk}/lost/", {"reason": "", "note": ""})
    assert page.status_code == 200 and "This field is required." in page.content.decode()
    deal.refresh_from_db()
    assert deal.state == LeadState.OPEN
    response = browser.post(f"/admin/sales/lead/{deal.pk}/lost/", {"reason": too_expensive.pk, "note": "Cheaper elsewhere"})
    assert response.status_code == 302
    deal.refresh_from_db()
    assert (deal.state, deal.lost_reason, deal.description) == (LeadState.LOST, too_expensive, "Cheaper elsewhere")


def test_cards_move_with_the_select_and_with_the_script(browser, company, other_company, salesman, stages):
    deal = opportunity(company, salesman, "Desks", "1000", None)
    response = browser.post(f"/admin/sales/lead/{deal.pk}/move/", {"stage": stages["Qualified"].pk}, follow=True)
    assert messages_of(response) == ["Desks is now in Qualified."]
    deal.refresh_from_db()
    assert (deal.stage, deal.probability) == (stages["Qualified"], D("30.00"))

    ajax = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
    response = browser.post(f"/admin/sales/lead/{deal.pk}/move/", {"stage": stages["Proposition"].pk}, **ajax)
    assert response.json() == {"id": deal.pk, "stage": stages["Proposition"].pk, "probability": "60.00", "state": "open"}

    foreign = Stage.objects.get(company=other_company, name="Won")
    for data, url in (({"stage": foreign.pk}, deal.pk), ({"stage": "x"}, deal.pk), ({"stage": stages["New"].pk}, "99999"),
                      ({}, deal.pk)):  # fmt: skip
        response = browser.post(f"/admin/sales/lead/{url}/move/", data, **ajax)
        assert response.status_code == 400
    assert response.json() == {"detail": "Choose a stage of this company."}
    deal.refresh_from_db()
    assert (deal.stage, deal.probability) == (stages["Proposition"], D("60.00"))
    assert browser.get(f"/admin/sales/lead/{deal.pk}/move/").status_code == 405


def test_the_overdue_filter_and_mark_done(browser, company, salesman):
    deal = opportunity(company, salesman, "Desks", "1000", None)
    late = activity_schedule(Activity(company=company, lead=deal, summary="Late call", due_date=datetime.date(2020, 1, 1)),
                             by=salesman)  # fmt: skip
    activity_schedule(Activity(company=company, lead=deal, summary="Future call", due_date=datetime.date(2099, 1, 1)),
                      by=salesman)  # fmt: skip
    page = browser.get("/admin/sales/activity/?due=overdue").content.decode()
    assert "Late call" in page and "Future call" not in page
    browser.post("/admin/sales/activity/", {"action": "mark_done", "_selected_action": [late.pk]})
    late.refresh_from_db()
    assert late.done


# --- API -----------------------------------------------------------------------------------------------

CRM = "/api/v1/sales/"


def test_a_lead_through_the_api_to_a_quotation(api, company, salesman, customer, desk, warehouse, stages):
    created = api.post(f"{CRM}leads/", {"name": "Desks", "contact_name": "Els", "expected_revenue": "2000",
                                        "expected_closing": "2026-05-20", "salesperson": salesman.pk}, format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    lead = created.json()
    assert (lead["kind"], lead["state"], lead["stage"]) == ("lead", "open", None)

    converted = api.post(f"{CRM}leads/{lead['id']}/convert/", {"partner": customer.pk}, format="json").json()
    assert (converted["kind"], converted["stage"], converted["probability"], converted["partner"]) == (
        "opportunity", stages["New"].pk, "10.00", customer.pk)  # fmt: skip
    assert_problem(api.post(f"{CRM}leads/{lead['id']}/move-stage/", {"stage": stages["Qualified"].pk, "probability": "101"},
                            format="json"), 400, "invalid")  # fmt: skip
    moved = api.post(f"{CRM}leads/{lead['id']}/move-stage/", {"stage": stages["Proposition"].pk}, format="json").json()
    assert (moved["stage"], moved["probability"], moved["weighted_revenue"]) == (stages["Proposition"].pk, "60.00", "1200.00")

    forecast = api.get(f"{CRM}reports/pipeline/").json()
    assert forecast == {"rows": [{"month": "2026-05-01", "salesperson": salesman.pk, "salesperson_name": "salesman", "count": 1,
                                  "expected_revenue": "2000.00", "weighted_revenue": "1200.00"}]}  # fmt: skip
    assert_problem(api.get(f"{CRM}reports/pipeline/", {"date_from": "2026-06-01", "date_to": "2026-05-01"}), 400, "invalid")

    quote = api.post(f"{CRM}leads/{lead['id']}/quote/", {"lines": [{"product": desk.pk, "quantity": "2"}]}, format="json")
    assert quote.status_code == 201, quote.content
    assert (quote.json()["partner"], quote.json()["amount_untaxed"], quote.json()["state"]) == (customer.pk, "500.0000", "draft")
    assert api.get(f"{CRM}leads/{lead['id']}/").json()["order"] == quote.json()["id"]
    won = api.post(f"{CRM}leads/{lead['id']}/won/").json()
    assert (won["state"], won["stage"], won["probability"]) == ("won", stages["Won"].pk, "100.00")
    assert api.get(f"{CRM}reports/pipeline/").json() == {"rows": []}


def test_lost_and_foreign_ids_through_the_api_write_nothing(api, company, other_company, seller, too_expensive):
    deal = opportunity(company, seller, "Desks", "1000", None)
    foreign_reason = LostReason.objects.create(company=other_company, name="Too late")
    assert_problem(api.post(f"{CRM}leads/{deal.pk}/lost/", {}, format="json"), 400, "invalid")
    assert_problem(api.post(f"{CRM}leads/{deal.pk}/lost/", {"lost_reason": foreign_reason.pk}, format="json"), 400, "invalid")
    foreign_stage = Stage.objects.get(company=other_company, name="New")
    assert_problem(api.post(f"{CRM}leads/{deal.pk}/move-stage/", {"stage": foreign_stage.pk}, format="json"), 400, "invalid")
    stranger = UserFactory(username="stranger", companies=[other_company])
    assert_problem(api.patch(f"{CRM}leads/{deal.pk}/", {"salesperson": stranger.pk}, format="json"), 400, "invalid")
    assert_problem(api.post(f"{CRM}leads/", {"name": "X", "probability": "150"}, format="json"), 400, "invalid")
    assert_problem(api.post(f"{CRM}leads/{deal.pk}/quote/", {}, format="json"), 400, "invalid")
    deal.refresh_from_db()
    assert (deal.state, deal.lost_reason_id, deal.salesperson_id, Lead.objects.count()) == (LeadState.OPEN, None, None, 1)

    lost = api.post(f"{CRM}leads/{deal.pk}/lost/", {"lost_reason": too_expensive.pk, "note": "Price"}, format="json").json()
    assert (lost["state"], lost["lost_reason"], lost["probability"]) == ("lost", too_expensive.pk, "0.00")
    assert_problem(api.post(f"{CRM}leads/{deal.pk}/won/"), 409, "opportunity_closed")


def test_activities_through_the_api(api, company, seller):
    deal = opportunity(company, seller, "Desks", "1000", None)
    late = api.post(f"{CRM}activities/", {"lead": deal.pk, "kind": "call", "summary": "Call back", "due_date": "2020-01-01"},
                    format="json")  # fmt: skip
    assert late.status_code == 201, late.content
    api.post(f"{CRM}activities/", {"lead": deal.pk, "kind": "todo", "summary": "Later", "due_date": "2099-01-01"}, format="json")
    overdue = api.get(f"{CRM}activities/", {"overdue": "true"}).json()["results"]
    assert [a["summary"] for a in overdue] == ["Call back"]
    done = api.post(f"{CRM}activities/{late.json()['id']}/done/").json()
    assert (done["done"], done["done_on"]) == (True, timezone.localdate().isoformat())
    assert api.get(f"{CRM}activities/", {"overdue": "true"}).json()["results"] == []
    assert_problem(api.post(f"{CRM}activities/{late.json()['id']}/done/"), 409, "activity_done")
    assert_problem(api.post(f"{CRM}activities/", {"lead": 999999, "summary": "x", "due_date": "2020-01-01"}, format="json"),
                   400, "invalid")  # fmt: skip
    stages = api.get(f"{CRM}stages/").json()["results"]
    assert [(s["name"], s["probability"], s["is_won"]) for s in stages] == [
        ("New", "10.00", False), ("Qualified", "30.00", False), ("Proposition", "60.00", False), ("Won", "100.00", True),
    ]  # fmt: skip
