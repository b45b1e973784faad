"""CRM reports: the pipeline forecast and the overdue activities."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from tessera.core.models import Company, User

from .models import Activity, Lead, LeadKind, LeadState

ZERO = Decimal(0)


@dataclass(frozen=True)
class ForecastRow:
    month: datetime.date | None  # first day of the month of the expected closing; None: no date typed
    salesperson_id: int | None
    salesperson: str
    count: int
    expected_revenue: Decimal
    weighted_revenue: Decimal  # the sum of expected revenue × probability, each rounded to the cent


def pipeline_forecast(
    company: Company,
    *,
    salesperson: User | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> list[ForecastRow]:
    """The open opportunities' revenue, weighted by their probability, by month of expected closing
    and salesperson; opportunities without a closing date come last (unless a period is asked)."""
    leads = Lead.objects.filter(company=company, kind=LeadKind.OPPORTUNITY, state=LeadState.OPEN).select_related("salesperson")
    if salesperson is not None:
        leads = leads.filter(salesperson=salesperson)
    if date_from is not None:
        leads = leads.filter(expected_closing__gte=date_from)
    if date_to is not None:
        leads = leads.filter(expected_closing__lte=date_to)
    groups: dict[tuple, list[Lead]] = defaultdict(list)
    for lead in leads:
        month = lead.expected_closing.replace(day=1) if lead.expected_closing else None
        groups[(month, lead.salesperson_id)].append(lead)
    rows = []
    for (month, salesperson_id), members in groups.items():
        person = members[0].salesperson
        rows.append(ForecastRow(
            month, salesperson_id, (person.get_full_name() or person.username) if person else "", len(members),
            sum((lead.expected_revenue for lead in members), ZERO), sum((lead.weighted_revenue for lead in members), ZERO),
        ))  # fmt: skip
    rows.sort(key=lambda row: (row.month is None, row.month or datetime.date.min, row.salesperson, row.salesperson_id or 0))
    return rows


def overdue_activities(
    company: Company, *, today: datetime.date | None = None, user: User | None = None, lead: Lead | None = None
) -> QuerySet[Activity]:
    """The activities not done whose due date has passed, oldest first; of one user or one lead if given."""
    activities = Activity.objects.filter(company=company, done=False, due_date__lt=today or timezone.localdate())
    if user is not None:
        activities = activities.filter(assigned_to=user)
    if lead is not None:
        activities = activities.filter(lead=lead)
    return activities.select_related("lead", "assigned_to").order_by("due_date", "id")
