"""The CRM: leads converted into opportunities, moved through the pipeline's stages, won (and quoted)
or lost for a reason, and the activities planned on them."""

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tessera.core.errors import BusinessError, InvalidInput
from tessera.core.models import Company, Partner, User
from tessera.core.scoping import is_company_allowed
from tessera.core.services import record_save, require_company, require_permission
from tessera.core.transactions import operation

from ..models import Activity, Lead, LeadKind, LeadState, LostReason, SaleOrder, Stage
from ..states import OrderState
from .orders import OrderLineDraft, sale_order_save

HUNDRED = Decimal(100)
DEFAULT_STAGES = (
    (gettext_lazy("New"), 10, Decimal(10), False),
    (gettext_lazy("Qualified"), 20, Decimal(30), False),
    (gettext_lazy("Proposition"), 30, Decimal(60), False),
    (gettext_lazy("Won"), 40, HUNDRED, True),
)


def company_crm_setup(company: Company, by: User) -> None:
    """Registered with core: a new company's pipeline starts with New, Qualified, Proposition and Won."""
    if Stage.objects.filter(company=company).exists():
        return
    for name, sequence, probability, is_won in DEFAULT_STAGES:
        record_save(Stage(company=company, name=str(name), sequence=sequence, probability=probability, is_won=is_won), by=by)


def _check_user(user: User | None, company_id: int, field: str) -> None:
    if user is not None and not is_company_allowed(user, company_id):
        raise InvalidInput(_("%(user)s does not work for this company.") % {"user": user}, field=field)


def _first_stage(company_id: int) -> Stage:
    stage = Stage.objects.filter(company_id=company_id, is_won=False).order_by("sequence", "id").first()
    if stage is None:
        raise BusinessError(_("This company has no pipeline stage; create one first."), code="no_stage")
    return stage


def _locked(lead: Lead, *, by: User) -> Lead:
    """The lead read again under a row lock, so that two transitions cannot cross."""
    require_permission(by, Lead, "change")
    require_company(by, lead)
    return Lead.objects.select_for_update().get(pk=lead.pk)


def _open_opportunity(lead: Lead) -> None:
    if lead.kind != LeadKind.OPPORTUNITY:
        raise BusinessError(_("%(lead)s is a lead; convert it into an opportunity first.") % {"lead": lead},
                            code="not_opportunity")  # fmt: skip
    if lead.state != LeadState.OPEN:
        raise BusinessError(_("Opportunity %(lead)s is already %(state)s.") % {"lead": lead, "state": lead.get_state_display()},
                            code="opportunity_closed")  # fmt: skip


def lead_save(lead: Lead, *, by: User) -> Lead:
    """Save a lead or an opportunity as typed. An opportunity without a stage goes into the first one
    and, when new, takes the stage's probability unless one was typed."""
    require_permission(by, Lead, "add" if lead._state.adding else "change")
    require_company(by, lead)
    _check_user(lead.salesperson, lead.company_id, "salesperson")
    if lead.pk and Lead.objects.filter(pk=lead.pk).exclude(state=LeadState.OPEN).exists():
        raise BusinessError(_("%(lead)s is closed; it can no longer be changed.") % {"lead": lead}, code="opportunity_closed")
    if lead.kind == LeadKind.OPPORTUNITY:
        if lead.stage_id is None:
            lead.stage = _first_stage(lead.company_id)
        if lead._state.adding and not lead.probability:
            lead.probability = lead.stage.probability
    return record_save(lead, by=by)


def lead_convert(
    lead: Lead, *, by: User, partner: Partner | None = None, create_partner: bool = False, salesperson: User | None = None
) -> Lead:
    """Turn a lead into an opportunity in the first stage, linked to an existing customer or to one
    created from the lead's contact details."""
    if partner is not None and create_partner:
        raise InvalidInput(_("Either choose a customer or create one, not both."), field="partner")
    if partner is not None and partner.company_id != lead.company_id:
        raise InvalidInput(_("%(partner)s is not a partner of this company.") % {"partner": partner}, field="partner")
    if salesperson is not None:
        _check_user(salesperson, lead.company_id, "salesperson")
    with operation():
        lead = _locked(lead, by=by)
        if lead.kind != LeadKind.LEAD or lead.state != LeadState.OPEN:
            raise BusinessError(_("%(lead)s is already an opportunity or closed.") % {"lead": lead}, code="not_lead")
        if create_partner:
            name = lead.company_name or lead.contact_name or lead.name
            partner = Partner(company_id=lead.company_id, name=name, is_company=bool(lead.company_name), email=lead.email,
                              phone=lead.phone, country=lead.company.country, is_customer=True)  # fmt: skip
            partner = record_save(partner, by=by)
        if partner is not None:
            lead.partner = partner
        if salesperson is not None:
            lead.salesperson = salesperson
        lead.kind = LeadKind.OPPORTUNITY
        if lead.stage_id is None:
            lead.stage = _first_stage(lead.company_id)
            lead.probability = lead.stage.probability
        return record_save(lead, by=by)


def opportunity_move_stage(lead: Lead, stage: Stage, *, by: User, probability: Decimal | None = None) -> Lead:
    """Move an open opportunity into another stage (a card dragged on the kanban board). It takes the
    stage's probability unless one is given; a won stage wins it."""
    if stage.company_id != lead.company_id:
        raise InvalidInput(_("%(stage)s is not a stage of this company.") % {"stage": stage}, field="stage")
    if probability is not None and not Decimal(0) <= probability <= HUNDRED:
        raise InvalidInput(_("The probability is a percentage between 0 and 100."), field="probability")
    with operation():
        lead = _locked(lead, by=by)
        _open_opportunity(lead)
        lead.stage = stage
        lead.probability = stage.probability if probability is None else probability
        if stage.is_won:
            _win(lead)
        return record_save(lead, by=by)


def _win(lead: Lead) -> None:
    lead.state = LeadState.WON
    lead.probability = HUNDRED
    lead.closed_on = timezone.localdate()


def opportunity_mark_won(lead: Lead, *, by: User) -> Lead:
    """The customer said yes: the opportunity moves into the won stage at 100 %."""
    with operation():
        lead = _locked(lead, by=by)
        _open_opportunity(lead)
        won = Stage.objects.filter(company_id=lead.company_id, is_won=True).order_by("sequence", "id").first()
        if won is not None:
            lead.stage = won
        _win(lead)
        return record_save(lead, by=by)


def opportunity_mark_lost(lead: Lead, reason: LostReason | None, *, by: User, note: str = "") -> Lead:
    """The customer said no, for a reason (required); the opportunity leaves the forecast."""
    if reason is None:
        raise InvalidInput(_("Give the reason this opportunity was lost."), field="lost_reason")
    if reason.company_id != lead.company_id:
        raise InvalidInput(_("%(reason)s is not a lost reason of this company.") % {"reason": reason}, field="lost_reason")
    with operation():
        lead = _locked(lead, by=by)
        if lead.state != LeadState.OPEN:
            raise BusinessError(_("%(lead)s is already %(state)s.") % {"lead": lead, "state": lead.get_state_display()},
                                code="opportunity_closed")  # fmt: skip
        lead.state = LeadState.LOST
        lead.lost_reason = reason
        lead.probability = Decimal(0)
        lead.closed_on = timezone.localdate()
        if note:
            lead.description = f"{lead.description}\n{note}".strip()
        return record_save(lead, by=by)


def opportunity_reopen(lead: Lead, *, by: User, stage: Stage | None = None) -> Lead:
    """The customer is interested again: a lost opportunity is open again, in the given stage (not a
    won one), else the stage it was lost in, else the first; it takes the stage's probability and
    forgets its lost reason and closing day. Audited like every change."""
    if stage is not None and stage.company_id != lead.company_id:
        raise InvalidInput(_("%(stage)s is not a stage of this company.") % {"stage": stage}, field="stage")
    if stage is not None and stage.is_won:
        raise InvalidInput(_("Reopen %(lead)s in an open stage; %(stage)s wins it.") % {"lead": lead, "stage": stage},
                           field="stage")  # fmt: skip
    with operation():
        lead = _locked(lead, by=by)
        if lead.kind != LeadKind.OPPORTUNITY or lead.state != LeadState.LOST:
            raise BusinessError(_("%(lead)s is not a lost opportunity; only those can be reopened.") % {"lead": lead},
                                code="not_lost")  # fmt: skip
        if stage is None:
            stage = lead.stage if lead.stage is not None and not lead.stage.is_won else _first_stage(lead.company_id)
        lead.state = LeadState.OPEN
        lead.stage = stage
        lead.probability = stage.probability
        lead.lost_reason = None
        lead.closed_on = None
        return record_save(lead, by=by)


def opportunity_quote(lead: Lead, lines: Sequence[OrderLineDraft] = (), *, by: User) -> SaleOrder:
    """A draft quotation for the opportunity's customer, with the given lines (or none yet), linked to it."""
    require_permission(by, SaleOrder, "add")
    with operation():
        lead = _locked(lead, by=by)
        if lead.kind != LeadKind.OPPORTUNITY or lead.state == LeadState.LOST:
            raise BusinessError(_("Only an open or won opportunity can be quoted."), code="not_quotable")
        if lead.partner_id is None:
            raise InvalidInput(_("Link %(lead)s to a customer before quoting it.") % {"lead": lead}, field="partner")
        if lead.order_id and SaleOrder.objects.filter(pk=lead.order_id).exclude(state=OrderState.CANCELLED).exists():
            raise BusinessError(_("%(lead)s already has quotation %(order)s.") % {"lead": lead, "order": lead.order},
                                code="already_quoted")  # fmt: skip
        order = sale_order_save(
            SaleOrder(company_id=lead.company_id, partner=lead.partner, salesperson=lead.salesperson, client_order_ref="",
                      note=lead.name),
            lines, by=by,
        )  # fmt: skip
        lead.order = order
        record_save(lead, by=by)
    return order


def activity_schedule(activity: Activity, *, by: User) -> Activity:
    """Plan (or re-plan) a call, meeting, e-mail or to-do on a lead."""
    require_permission(by, Activity, "add" if activity._state.adding else "change")
    require_company(by, activity)
    _check_user(activity.assigned_to, activity.company_id, "assigned_to")
    if activity.pk and Activity.objects.filter(pk=activity.pk, done=True).exists():
        raise BusinessError(_("This activity is done; schedule a new one."), code="activity_done")
    return record_save(activity, by=by)


def activity_done(activity: Activity, *, by: User, on: datetime.date | None = None) -> Activity:
    """Mark an activity done (today by default); it leaves the overdue list."""
    require_permission(by, Activity, "change")
    require_company(by, activity)
    with operation():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        if activity.done:
            raise BusinessError(_("This activity is already done."), code="activity_done")
        activity.done = True
        activity.done_on = on or timezone.localdate()
        return record_save(activity, by=by)
