"""Base serializers: related ids limited to the current company, saves through core services."""

from typing import Any

from django.db import models
from rest_framework import serializers

from ..models import AuditedModel, AuditEntry, CompanyOwned
from ..scoping import request_company, scope_queryset
from ..services import record_save


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """Accepts only ids the user may see in the current company; others are 'does not exist'."""

    def get_queryset(self) -> models.QuerySet:
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is None:
            return queryset
        return scope_queryset(queryset, request.user, request_company(request))

    def preload(self, ids: set[Any]) -> None:
        """Look the ids up in one query, for the items of a list (the lines of a document)."""
        valid = {str(pk) for pk in ids if isinstance(pk, int | str) and not isinstance(pk, bool) and str(pk).isdigit()}
        self._preloaded = {str(record.pk): record for record in self.get_queryset().filter(pk__in=valid)} if valid else {}

    def to_internal_value(self, data: Any) -> Any:
        found = getattr(self, "_preloaded", {}).get(str(data)) if isinstance(data, int | str) else None
        return found if found is not None else super().to_internal_value(data)


class LinesSerializer(serializers.ListSerializer):
    """Nested lines whose related ids (a product per line) are looked up in one query per field, not
    one per line."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, list):
            for name, field in self.child.fields.items():
                if isinstance(field, ScopedPrimaryKeyRelatedField) and not field.read_only:
                    field.preload({item.get(name) for item in data if isinstance(item, dict)})
        return super().to_internal_value(data)


class ReplacedLinesMixin:
    """For a document whose nested `lines` replace the old ones when given. On PATCH, DRF skips the
    required fields and defaults of nested items too ({"lines": [{}]} would pass), so they are
    validated in full."""

    def validate_lines(self, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not self.partial:
            return lines
        child = self.fields["lines"].child
        full = type(child)(data=self.initial_data["lines"], many=True, context=self.context)
        full.is_valid(raise_exception=True)
        return full.validated_data


class RecordSerializer(serializers.ModelSerializer):
    """A business record read and written through the API; writes go through record_save."""

    serializer_related_field = ScopedPrimaryKeyRelatedField

    @property
    def actor(self) -> Any:
        return self.context["request"].user

    def get_unique_together_validators(self) -> list:
        # Uniqueness over several fields is checked by the model (full_clean in record_save): it compares the
        # normalised values (a compact IBAN) and reports on the field typed (ScopedUnique). DRF's validators
        # would compare the raw input and answer "non_field_errors" instead.
        return []

    def create(self, validated_data: dict[str, Any]) -> AuditedModel:
        m2m = self._pop_many_to_many(validated_data)
        record = self.Meta.model(**validated_data)
        if isinstance(record, CompanyOwned):
            record.company = request_company(self.context["request"])
        return self.save_record(record, m2m)

    def update(self, instance: AuditedModel, validated_data: dict[str, Any]) -> AuditedModel:
        m2m = self._pop_many_to_many(validated_data)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return self.save_record(instance, m2m)

    def save_record(self, record: AuditedModel, m2m: dict[str, Any]) -> AuditedModel:
        """The service call that saves; models with their own save service override this."""
        return record_save(record, by=self.actor, m2m=m2m)

    def _pop_many_to_many(self, validated_data: dict[str, Any]) -> dict[str, Any]:
        names = {field.name for field in self.Meta.model._meta.many_to_many}
        return {name: validated_data.pop(name) for name in list(validated_data) if name in names}


class AuditEntrySerializer(serializers.ModelSerializer):
    record_type = serializers.SerializerMethodField()
    actor = serializers.CharField(source="actor.username", read_only=True)

    class Meta:
        model = AuditEntry
        fields = ["id", "at", "company", "record_type", "object_id", "object_repr", "action", "actor", "source", "changes"]
        read_only_fields = fields

    def get_record_type(self, entry: AuditEntry) -> str:
        return f"{entry.content_type.app_label}.{entry.content_type.model}"
