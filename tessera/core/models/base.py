"""Abstract bases: audited records and company-owned records."""

from typing import Any, ClassVar, Self

from django.core.exceptions import ValidationError
from django.db import models, router
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ..checks import check_holds, condition_met


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

    def clean_fields(self, exclude: set[str] | None = None) -> None:
        """Django checks that a related record exists with one query per relation; a related record
        already loaded on this one needs no such check (the foreign key still guards the write)."""
        super().clean_fields(set(exclude or ()) | self._loaded_relations())

    def _loaded_relations(self) -> set[str]:
        names = set()
        for field in self._meta.concrete_fields:
            if not field.many_to_one or field.remote_field.limit_choices_to or not field.is_cached(self):
                continue
            related = field.get_cached_value(self)
            if (
                related is not None
                and not related._state.adding
                and (getattr(related, field.target_field.attname) == getattr(self, field.attname))
            ):
                names.add(field.name)
        return names

    def validate_constraints(self, exclude: set[str] | None = None) -> None:
        """As Django's, except that what Python can decide is not sent to the database (core.checks):
        check constraints that hold, and partial unique constraints whose condition the record does
        not meet. A violated check is still sent, for Django's own message."""
        exclude = set(exclude or ())
        using = router.db_for_write(type(self), instance=self)
        errors: dict = {}
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                if self._constraint_satisfied(constraint, exclude):
                    continue
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as exc:
                    if getattr(exc, "code", None) == "unique" and len(getattr(constraint, "fields", ())) == 1:
                        errors.setdefault(constraint.fields[0], []).append(exc)
                    else:
                        errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _constraint_satisfied(self, constraint: models.BaseConstraint, exclude: set[str]) -> bool:
        if isinstance(constraint, models.CheckConstraint):
            return bool(check_holds(constraint.condition, self, exclude))
        condition = getattr(constraint, "condition", None)
        return (
            isinstance(constraint, models.UniqueConstraint)
            and condition is not None
            and (condition_met(condition, self, exclude) is False)
        )


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
        # The company is set by code (the parent record's, or the actor's current one), never typed:
        # the foreign key guards it without a query per record.
        super().clean_fields({*(exclude or ()), "company"} if self.company_id else exclude)
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
