"""Back office of the core master data."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from .backoffice import LinesInline, RecordAdmin, RecordInline, country_name
from .models import (
    ApiToken,
    AuditEntry,
    Company,
    Currency,
    CurrencyRate,
    Partner,
    PartnerBankAccount,
    PaymentTerm,
    PaymentTermLine,
    Product,
    ProductCategory,
    Sequence,
    Uom,
    UomCategory,
    User,
)
from .payment_terms import InstalmentError, check_instalments
from .services import api_token_revoke, company_create, payment_term_save, product_category_save

admin.site.unregister(Group)


@admin.register(Company)
class CompanyAdmin(RecordAdmin):
    list_display = ["name", country_name, "currency", "vat", "active"]
    list_filter = ["country", "active"]
    search_fields = ["name", "vat"]
    fieldsets = [
        (None, {"fields": ["name", "country", "currency", "vat", "active"]}),
        (_("Address"), {"fields": ["street", "zip", "city", "email", "phone"]}),
        (_("Fiscal year"), {"fields": ["fiscal_year_start_month", "fiscal_year_start_day"]}),
    ]

    def save_record(self, request: HttpRequest, obj: Company, m2m: dict[str, Any]) -> None:
        if obj._state.adding:
            company_create(obj, by=request.user)
        else:
            super().save_record(request, obj, m2m)


class UserForm(UserChangeForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        company, allowed = data.get("current_company"), data.get("companies")
        if company and not data.get("is_superuser") and allowed is not None and company not in allowed:
            self.add_error("current_company", _("The current company must be one of the allowed companies."))
        return data


@admin.register(User)
class UserAdmin(BaseUserAdmin, RecordAdmin):
    form = UserForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_staff", "current_company"]
    list_filter = ["is_active", "is_staff", "is_superuser", "groups"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "email", "language"]}),
        (_("Companies"), {"fields": ["companies", "current_company"]}),
        (_("Roles"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = ["companies", "groups"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        """Only a superuser makes superusers."""
        fields = list(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else [*fields, "is_superuser"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin, ModelAdmin):
    """Roles. They are created by migrations; the permission matrix is in docs/permissions.md."""


@admin.register(Currency)
class CurrencyAdmin(RecordAdmin):
    list_display = ["code", "name", "symbol", "minor_unit", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "name", "minor_unit"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CurrencyRate)
class CurrencyRateAdmin(RecordAdmin):
    list_display = ["currency", "date", "rate"]
    list_filter = ["currency"]
    date_hierarchy = "date"
    autocomplete_fields = ["currency"]


@admin.register(UomCategory)
class UomCategoryAdmin(RecordAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(Uom)
class UomAdmin(RecordAdmin):
    list_display = ["name", "category", "is_reference", "ratio", "rounding", "active"]
    list_filter = ["category", "active"]
    search_fields = ["name"]
    list_select_related = ["category"]


class PartnerBankAccountInline(RecordInline):
    model = PartnerBankAccount
    fields = ["iban", "bic", "holder_name"]


@admin.register(Partner)
class PartnerAdmin(RecordAdmin):
    list_display = ["name", "ref", "parent", "city", country_name, "vat", "is_customer", "is_supplier", "active"]
    list_filter = ["is_customer", "is_supplier", "is_company", "country", "active", "language"]
    search_fields = ["name", "ref", "vat", "email", "city"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    inlines = [PartnerBankAccountInline]
    fieldsets = [
        (None, {"fields": ["name", "is_company", "parent", "kind", "ref", "is_customer", "is_supplier", "active"]}),
        (_("Address"), {"fields": ["street", "street2", "zip", "city", "country"]}),
        (_("Contact"), {"fields": ["email", "phone", "website", "language"]}),
        (_("Invoicing"), {"fields": ["vat", "customer_payment_term", "supplier_payment_term"]}),
        (_("Notes"), {"fields": ["note"]}),
    ]


@admin.register(PartnerBankAccount)
class PartnerBankAccountAdmin(RecordAdmin):
    list_display = ["iban", "partner", "bic", "holder_name"]
    search_fields = ["iban", "partner__name"]
    list_select_related = ["partner__parent"]
    autocomplete_fields = ["partner"]


class InstalmentFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        kept.sort(key=lambda f: f.cleaned_data.get("position") or 0)
        try:
            check_instalments([PaymentTermLine(**_line_values(f.cleaned_data)).as_instalment() for f in kept])
        except InstalmentError as exc:
            raise forms.ValidationError(str(exc)) from None


def _line_values(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data[name] for name in ("kind", "percent", "days", "end_of_month", "position") if name in data}


class PaymentTermLineInline(LinesInline):
    model = PaymentTermLine
    formset = InstalmentFormSet
    fields = ["position", "kind", "percent", "days", "end_of_month"]
    min_num = 1


@admin.register(PaymentTerm)
class PaymentTermAdmin(RecordAdmin):
    list_display = ["name", "active"]
    list_filter = ["active"]
    search_fields = ["name"]
    inlines = [PaymentTermLineInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        (lines,) = formsets
        lines.save(commit=False)  # sets the formset's new/changed/deleted lists the change message reads
        kept = [f for f in lines.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        kept.sort(key=lambda f: f.cleaned_data.get("position") or 0)
        instalments = [PaymentTermLine(**_line_values(f.cleaned_data)).as_instalment() for f in kept]
        payment_term_save(form.instance, instalments, by=request.user)


@admin.register(ProductCategory)
class ProductCategoryAdmin(RecordAdmin):
    list_display = ["full_name"]
    search_fields = ["full_name"]
    fields = ["name", "parent"]
    autocomplete_fields = ["parent"]

    def save_record(self, request: HttpRequest, obj: ProductCategory, m2m: dict[str, Any]) -> None:
        product_category_save(obj, by=request.user)


@admin.register(Product)
class ProductAdmin(RecordAdmin):
    list_display = ["sku", "name", "type", "category", "uom", "sale_price", "cost", "active"]
    list_filter = ["type", "category", "can_be_sold", "can_be_purchased", "active"]
    search_fields = ["sku", "name", "barcode"]
    list_select_related = ["category", "uom"]
    autocomplete_fields = ["category"]
    fieldsets = [
        (None, {"fields": ["name", "sku", "barcode", "type", "category", "active"]}),
        (_("Units"), {"fields": ["uom", "purchase_uom"]}),
        (_("Prices"), {"fields": ["sale_price", "cost"]}),
        (_("Use"), {"fields": ["can_be_sold", "can_be_purchased", "description"]}),
    ]


@admin.register(Sequence)
class SequenceAdmin(RecordAdmin):
    list_display = ["code", "name", "pattern", "padding", "reset"]
    search_fields = ["code", "name"]


@admin.register(AuditEntry)
class AuditEntryAdmin(RecordAdmin):
    """The global audit trail. Nobody adds, changes or deletes entries."""

    actions = []
    list_display = ["at", "action", "content_type", "object_repr", "actor", "source"]
    list_filter = ["action", "source", "content_type", "at"]
    search_fields = ["object_repr", "object_id", "actor__username"]
    list_select_related = ["actor", "content_type"]
    date_hierarchy = "at"
    readonly_fields = ["at", "company", "content_type", "object_id", "object_repr", "action", "actor", "source", "changes"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(RecordAdmin):
    """Your API tokens (everyone's, for superusers). New ones come from POST /api/v1/auth/token/."""

    actions = []
    list_display = ["prefix", "name", "user", "created_at", "last_used_at"]
    list_select_related = ["user"]
    readonly_fields = ["user", "name", "prefix", "created_at", "last_used_at"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request) and (
            obj is None or obj.user_id == request.user.pk or request.user.is_superuser
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_view_permission(request, obj)

    def delete_model(self, request: HttpRequest, obj: ApiToken) -> None:
        api_token_revoke(obj, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for token in queryset:
            api_token_revoke(token, by=request.user)
