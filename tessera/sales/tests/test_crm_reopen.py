"""Reopening a lost opportunity (service, API, back-office button and kanban board), and the activities
of a lead planned and listed from its own page, the overdue ones included."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from tessera.core.errors import BusinessError, InvalidInput, NotAllowed
from tessera.core.models import AuditEntry, Company, Currency
from tessera.core.services import company_create, system_user
from tessera.core.tests.factories import UserFactory
from tessera.core.tests.test_api_errors import assert_problem
from tessera.sales.crm_queries import overdue_activities
from tessera.sales.models import Activity, ActivityKind, Lead, LeadKind, LeadState, LostReason, Stage
from tessera.sales.services import activity_done, activity_schedule, lead_save, opportunity_mark_lost, opportunity_move_stage
from tessera.sales.services.crm import opportunity_reopen

TODAY = timezone.localdate()
LEADS = "/api/v1/sales/leads/"


@pytest.fixture
def stages(company):
    return {stage.name: stage for stage in Stage.objects.filter(company=company)}


@pytest.fixture
def too_expensive(company):
    return LostReason.objects.create(company=company, name="Too expensive")


@pytest.fixture
def lost(company, salesman, stages, too_expensive):
    """An opportunity moved to Qualified (30 %) at 45 %, then lost."""
    deal = lead_save(Lead(company=company, kind=LeadKind.OPPORTUNITY, name="Desks", expected_revenue=D("1000"),
                          salesperson=salesman), by=salesman)  # fmt: skip
    deal = opportunity_move_stage(deal, stages["Qualified"], by=salesman, probability=D("45"))
    return opportunity_mark_lost(deal, too_expensive, by=salesman, note="Cheaper elsewhere")


def state_of(lead):
    lead = Lead.objects.get(pk=lead.pk)
    return lead.state, lead.stage.name, lead.probability, lead.lost_reason, lead.closed_on


def test_a_lost_opportunity_reopens_in_its_stage_at_the_stage_probability(lost, salesman, too_expensive):
    assert state_of(lost) == (LeadState.LOST, "Qualified", D("0.00"), too_expensive, TODAY)
    audits = AuditEntry.objects.count()
    opportunity_reopen(lost, by=salesman)
    assert state_of(lost) == (LeadState.OPEN, "Qualified", D("30.00"), None, None)
    entry = AuditEntry.objects.order_by("-id").first()
    assert AuditEntry.objects.count() == audits + 1
    assert entry.actor == salesman
    assert {name: entry.changes[name] for name in ("state", "probability", "closed_on")} == {
        "state": {"old": "lost", "new": "open"}, "probability": {"old": "0.00", "new": "30.00"},
        "closed_on": {"old": TODAY.isoformat(), "new": None},
    }  # fmt: skip
    assert Lead.objects.get(pk=lost.pk).description == "Cheaper elsewhere"
    # Open again: it can move, be won or lost again.
    opportunity_move_stage(lost, Stage.objects.get(company=lost.company, name="Won"), by=salesman)
    assert state_of(lost)[:3] == (LeadState.WON, "Won", D("100.00"))


def test_reopening_into_a_chosen_stage_and_the_refusals(company, lost, salesman, stages):
    other = company_create(Company(name="Ander BV", country="BE", currency=Currency.objects.get(code="EUR")), by=system_user())
    foreign = Stage.objects.filter(company=other).first()
    audits = AuditEntry.objects.count()
    with pytest.raises(InvalidInput) as refused:
        opportunity_reopen(lost, by=salesman, stage=stages["Won"])
    assert (refused.value.message, refused.value.field) == ("Reopen Desks in an open stage; Won wins it.", "stage")
    with pytest.raises(InvalidInput, match="is not a stage of this company"):
        opportunity_reopen(lost, by=salesman, stage=foreign)
    with pytest.raises(NotAllowed):
        opportunity_reopen(lost, by=UserFactory(username="reader", companies=[company], roles=["Auditor"]))
    assert (AuditEntry.objects.count(), state_of(lost)[0]) == (audits, LeadState.LOST)

    opportunity_reopen(lost, by=salesman, stage=stages["Proposition"])
    assert state_of(lost)[:3] == (LeadState.OPEN, "Proposition", D("60.00"))
    with pytest.raises(BusinessError) as refused:
        opportunity_reopen(lost, by=salesman)
    assert (refused.value.code, refused.value.message) == (
        "not_lost",
        "Desks is not a lost opportunity; only those can be reopened.",
    )
    lead = lead_save(Lead(company=company, name="Just a lead"), by=salesman)
    with pytest.raises(BusinessError, match="Just a lead is not a lost opportunity"):
        opportunity_reopen(lead, by=salesman)


def test_lost_in_the_won_stage_goes_back_to_the_first(company, salesman, stages, too_expensive):
    deal = lead_save(Lead(company=company, kind=LeadKind.OPPORTUNITY, name="Chairs"), by=salesman)
    Lead.objects.filter(pk=deal.pk).update(stage=stages["Won"])  # as a board edited by hand could leave it
    opportunity_mark_lost(deal, too_expensive, by=salesman)
    opportunity_reopen(deal, by=salesman)
    assert state_of(deal)[:3] == (LeadState.OPEN, "New", D("10.00"))


def test_reopen_through_the_api(api, company, lost, stages):
    response = api.post(f"{LEADS}{lost.pk}/reopen/", {"stage": stages["New"].pk}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["stage"], body["probability"], body["lost_reason"], body["closed_on"]) == (
        "open", stages["New"].pk, "10.00", None, None,
    )  # fmt: skip
    assert_problem(api.post(f"{LEADS}{lost.pk}/reopen/", {}, format="json"), 409, "not_lost")
    opportunity_mark_lost(lost, LostReason.objects.get(company=company), by=lost.salesperson)
    response = api.post(f"{LEADS}{lost.pk}/reopen/", {"stage": stages["Won"].pk}, format="json")
    assert_problem(response, 400, "invalid", {"stage": ["Reopen Desks in an open stage; Won wins it."]})
    assert api.post(f"{LEADS}{lost.pk}/reopen/", {"stage": 999999}, format="json").status_code == 400
    assert Lead.objects.get(pk=lost.pk).state == LeadState.LOST
    assert api.post(f"{LEADS}{lost.pk}/reopen/", format="json").json()["stage"] == stages["New"].pk


@pytest.fixture
def browser(client, salesman):
    client.force_login(salesman)
    return client


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_reopen_buttons_on_the_form_and_the_board(browser, lost, company, salesman):
    page = browser.get(f"/admin/sales/lead/{lost.pk}/change/").content.decode()
    assert f"/admin/sales/lead/{lost.pk}/do/reopen/" in page
    response = browser.post(f"/admin/sales/lead/{lost.pk}/do/reopen/", follow=True)
    assert messages_of(response) == ["The opportunity is open again."]
    assert state_of(lost)[:3] == (LeadState.OPEN, "Qualified", D("30.00"))
    assert f"/admin/sales/lead/{lost.pk}/do/reopen/" not in browser.get(f"/admin/sales/lead/{lost.pk}/change/").content.decode()

    opportunity_mark_lost(lost, LostReason.objects.get(company=company), by=salesman)
    board = browser.get("/admin/sales/lead/pipeline/").content.decode()
    assert f'data-lost="{lost.pk}"' in board and f"/admin/sales/lead/{lost.pk}/board-reopen/" in board
    response = browser.post(f"/admin/sales/lead/{lost.pk}/board-reopen/", follow=True)
    assert messages_of(response) == ["Desks is open again, in Qualified."]
    assert f'data-lost="{lost.pk}"' not in response.content.decode()
    response = browser.post(f"/admin/sales/lead/{lost.pk}/board-reopen/", follow=True)
    assert messages_of(response) == ["Desks is not a lost opportunity; only those can be reopened."]
    assert browser.get(f"/admin/sales/lead/{lost.pk}/board-reopen/").status_code == 405
    reader = UserFactory(username="reader", companies=[company], roles=["Auditor"])
    browser.force_login(reader)
    assert f"/admin/sales/lead/{lost.pk}/board-reopen/" not in browser.get("/admin/sales/lead/pipeline/").content.decode()


def inline(prefix="activities", rows=(), initial=0):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}  # fmt: skip
    for n, row in enumerate(rows):
        data.update({f"{prefix}-{n}-{name}": value for name, value in row.items()})
    return data


def lead_fields(lead):
    return {"name": lead.name, "partner": "", "contact_name": "", "company_name": "", "email": "", "phone": "",
            "salesperson": lead.salesperson_id or "", "stage": lead.stage_id or "", "probability": str(lead.probability),
            "expected_revenue": str(lead.expected_revenue), "expected_closing": "", "description": lead.description}  # fmt: skip


def test_activities_planned_from_the_lead_page_and_the_overdue_list(browser, company, salesman, stages):
    deal = lead_save(Lead(company=company, kind=LeadKind.OPPORTUNITY, name="Cabinets", salesperson=salesman), by=salesman)
    late = activity_schedule(Activity(company=company, lead=deal, summary="Late call", due_date=TODAY - datetime.timedelta(3),
                                      assigned_to=salesman), by=salesman)  # fmt: skip
    other = lead_save(Lead(company=company, name="Other lead"), by=salesman)
    activity_schedule(Activity(company=company, lead=other, summary="Other late call", due_date=TODAY - datetime.timedelta(1)),
                      by=salesman)  # fmt: skip
    page = browser.get(f"/admin/sales/lead/{deal.pk}/change/").content.decode()
    assert "Late call" in page and "Overdue" in page and "Overdue activities (1)" in page
    overdue_url = f"/admin/sales/activity/?lead__id__exact={deal.pk}&amp;due=overdue"
    assert overdue_url in page
    listed = browser.get(overdue_url.replace("&amp;", "&"))
    assert listed.status_code == 200
    assert [a.summary for a in listed.context["cl"].result_list] == ["Late call"]
    assert [a.summary for a in overdue_activities(company, lead=deal)] == ["Late call"]

    # Plan a meeting from the lead's page: saved by the service, audited, the lead itself untouched.
    audits = AuditEntry.objects.count()
    due = (TODAY + datetime.timedelta(7)).isoformat()
    rows = [{"id": late.pk, "lead": deal.pk, "kind": "todo", "summary": "Late call", "due_date": late.due_date.isoformat(),
             "assigned_to": salesman.pk, "note": ""},
            {"id": "", "lead": deal.pk, "kind": ActivityKind.MEETING, "summary": "Show room", "due_date": due,
             "assigned_to": salesman.pk, "note": "Bring the catalogue"}]  # fmt: skip
    response = browser.post(f"/admin/sales/lead/{deal.pk}/change/", {**lead_fields(deal), **inline(rows=rows, initial=1)})
    assert response.status_code == 302, [fs.formset.errors for fs in response.context["inline_admin_formsets"]]
    meeting = Activity.objects.get(lead=deal, summary="Show room")
    assert (meeting.kind, meeting.due_date.isoformat(), meeting.assigned_to, meeting.note, meeting.company) == (
        ActivityKind.MEETING, due, salesman, "Bring the catalogue", company,
    )  # fmt: skip
    assert AuditEntry.objects.count() == audits + 1

    # A lost opportunity's page still plans a follow-up (its own fields are read-only); a done activity is shown as done.
    activity_done(late, by=salesman)
    opportunity_mark_lost(deal, LostReason.objects.create(company=company, name="Later"), by=salesman)
    page = browser.get(f"/admin/sales/lead/{deal.pk}/change/").content.decode()
    assert "Done on" in page
    rows = [{"id": "", "lead": deal.pk, "kind": ActivityKind.CALL, "summary": "Ask again in spring", "due_date": due,
             "assigned_to": salesman.pk, "note": ""}]  # fmt: skip
    response = browser.post(f"/admin/sales/lead/{deal.pk}/change/", inline(rows=rows))
    assert response.status_code == 302, [fs.formset.errors for fs in response.context["inline_admin_formsets"]]
    assert Activity.objects.filter(lead=deal, summary="Ask again in spring").exists()
    assert Lead.objects.get(pk=deal.pk).state == LeadState.LOST
    assert browser.get("/admin/sales/lead/add/").status_code == 200
