"""Abstract bases: audited records and company-owned records."""

from typing import Any, ClassVar, Self

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy


class AuditedModel(models.Model):
    """A record whose creates, updates and deletes are written to the audit trail.

    The values read from the database are kept so that core.audit can record, field by field, what
    a save changed without reading the row again.
    """

    # Fields never copied into the audit trail (noise or secrets, see audit_masked).
    audit_ignored: ClassVar[frozenset[str]] = frozenset()
    # Fields whose change is recorded without the values.
    audit_masked: ClassVar[frozenset[str]] = frozenset()

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db: str | None, field_names: list[str], values: list[Any]) -> Self:
        instance = super().from_db(db, field_names, values)
        instance._loaded_values = dict(zip(field_names, values, strict=True))
        return instance

    def loaded_values(self) -> dict[str, Any]:
        return getattr(self, "_loaded_values", {})

    def remember_saved_values(self) -> None:
        self._loaded_values = {field.attname: getattr(self, field.attname) for field in self._meta.concrete_fields}


class CompanyQuerySet(models.QuerySet):
    def for_company(self, company: "models.Model | int | None") -> "CompanyQuerySet":
        if company is None:
            return self.none()
        return self.filter(company=company)


class CompanyOwned(AuditedModel):
    """A business record that belongs to one company; it is only ever seen from that company."""

    company = models.ForeignKey(
        "core.Company", on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_lazy("company")
    )

    objects = CompanyQuerySet.as_manager()

    # Fields set by code rather than typed, validated by forms all the same (see backoffice forms).
    validated_computed_fields: ClassVar[tuple[str, ...]] = ("company",)

    class Meta:
        abstract = True

    def clean_fields(self, exclude: set[str] | None = None) -> None:
        super().clean_fields(exclude)
        self.check_same_company(exclude or set())

    def check_same_company(self, exclude: set[str]) -> None:
        """Every record this one points at must belong to the same company."""
        errors = {}
        for field in self._meta.concrete_fields:
            if not field.is_relation or field.name in exclude or field.name == "company":
                continue
            if not issubclass(field.related_model, CompanyOwned):
                continue
            related = getattr(self, field.name)
            if related is not None and related.company_id != self.company_id:
                errors[field.name] = _("%(record)s belongs to another company.") % {"record": related}
        if errors:
            raise ValidationError(errors)


class ScopedUnique(models.UniqueConstraint):
    """Unique inside a scope, such as (company, sku): a violation is reported on the last field
    (or on the field the model's `constraint_error_fields` names for it).

    Django reports a violated multi-field constraint on the whole form; a user needs to see it next
    to the field they typed ("this SKU is taken").
    """

    def validate(self, model: type[models.Model], instance: models.Model, exclude=None, using=None) -> None:
        try:
            super().validate(model, instance, exclude=exclude, using=using)
        except ValidationError as exc:
            field = getattr(model, "constraint_error_fields", {}).get(self.fields[-1], self.fields[-1])
            raise ValidationError({field: exc.error_list}) from None
