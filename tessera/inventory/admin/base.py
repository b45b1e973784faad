"""What the inventory back-office pages share."""

from decimal import Decimal
from typing import Any

from django import forms
from django.db import models
from django.http import HttpRequest
from django.urls import reverse

from tessera.core.backoffice import ReadOnlyRecordAdmin, RecordAdmin, export_csv, export_xlsx
from tessera.core.scoping import request_company

from ..models import (
    STOCK_USAGES,
    Location,
)

ZERO = Decimal(0)


class InventoryAdmin(RecordAdmin):
    actions = [export_csv, export_xlsx]


class StockLocationsMixin:
    """The location field offers only the current company's stock locations."""

    def formfield_for_foreignkey(self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "location" and "queryset" not in kwargs:
            company = request_company(request)
            kwargs["queryset"] = Location.objects.filter(company=company, usage__in=STOCK_USAGES, active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyAdmin(ReadOnlyRecordAdmin):
    """Ledger rows: listed and exported (CSV, XLSX), never edited here."""

    actions = [export_csv, export_xlsx]


def adopt(obj: models.Model, created: models.Model) -> None:
    """Give the form's instance what a service created, so the admin redirects and logs the record."""
    for field_ in obj._meta.concrete_fields:
        setattr(obj, field_.attname, getattr(created, field_.attname))
    obj._state.adding = False


def change_url(obj: models.Model) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


class ProductUnitForm(forms.ModelForm):
    """The unit may be left empty: the product's unit is used."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if "uom" in self.fields:
            self.fields["uom"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "uom" in self.fields and not data.get("uom") and data.get("product"):
            data["uom"] = data["product"].uom
        return data
