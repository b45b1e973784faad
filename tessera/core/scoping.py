"""Company scoping: the one place that decides which company's rows a user works with."""

from typing import TypeVar

from django.db import models
from django.db.models import Q
from django.http import HttpRequest

from .models import ApiToken, AuditEntry, Company, CompanyOwned, User

M = TypeVar("M", bound=models.Model)


def current_company(user: User) -> Company | None:
    """The user's current company if they may still open it, else the first company they may open."""
    if not user.is_authenticated:
        return None
    allowed = user.allowed_companies()
    if user.current_company_id and allowed.filter(pk=user.current_company_id).exists():
        return user.current_company
    return allowed.order_by("name").first()


def request_company(request: HttpRequest) -> Company | None:
    """The current company for this request, computed once per request."""
    if not hasattr(request, "_tessera_company"):
        request._tessera_company = current_company(request.user)
    return request._tessera_company


def scope_queryset(queryset: models.QuerySet[M], user: User, company: Company | None) -> models.QuerySet[M]:
    """The rows of `queryset` this user may see while working in `company`.

    Company-owned rows: only the company's. Companies: the ones the user may open. Users: those
    with access to the company. Audit entries: the company's and those of shared reference data.
    API tokens: one's own. Shared reference data (currencies, units) passes through.
    """
    model = queryset.model
    if company is None:
        return queryset.none()
    if issubclass(model, CompanyOwned):
        return queryset.filter(company=company)
    if model is Company:
        return queryset.filter(pk__in=user.allowed_companies().values("pk"))
    if model is User:
        return queryset.filter(Q(companies=company) | Q(is_superuser=True)).distinct()
    if model is AuditEntry:
        return queryset.filter(Q(company=company) | Q(company__isnull=True))
    if model is ApiToken and not user.is_superuser:
        return queryset.filter(user=user)
    return queryset


def is_company_allowed(user: User, company: Company | int | None) -> bool:
    if company is None:
        return False
    pk = company.pk if isinstance(company, Company) else company
    # Remembered on the user object, which lives for one request or task: a service that calls
    # other services asks once. Only a yes is remembered, so a company added meanwhile is found.
    allowed = user.__dict__.setdefault("_allowed_company_ids", set())
    if pk not in allowed and user.allowed_companies().filter(pk=pk).exists():
        allowed.add(pk)
    return pk in allowed
