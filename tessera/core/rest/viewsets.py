"""Base API views: idempotent POSTs, current-company scoping, services for writes, a history action."""

from typing import Any

from django.db import models
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from ..audit import history_of
from ..models import Company
from ..scoping import request_company, scope_queryset
from ..services import record_delete
from .idempotency import IdempotencyMixin
from .serializers import AuditEntrySerializer


class ScopedMixin:
    """Rows are those of the user's current company; another company's id is a 404."""

    @property
    def company(self) -> Company | None:
        return request_company(self.request)

    def get_queryset(self) -> models.QuerySet:
        return scope_queryset(super().get_queryset(), self.request.user, self.company)

    def get_record(self) -> models.Model:
        """The record an action hands to a service: found and checked as `get_object` does, without
        what the serializer prefetches (the service reads, locked, what it needs)."""
        queryset = self.filter_queryset(self.get_queryset()).prefetch_related(None)
        lookup = self.lookup_url_kwarg or self.lookup_field
        record = get_object_or_404(queryset, **{self.lookup_field: self.kwargs[lookup]})
        self.check_object_permissions(self.request, record)
        return record


class ReadOnlyViewSet(IdempotencyMixin, ScopedMixin, viewsets.ReadOnlyModelViewSet):
    pass


class RecordViewSet(IdempotencyMixin, ScopedMixin, viewsets.ModelViewSet):
    """Create, read, update and delete a business record; every write goes through a service."""

    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def perform_destroy(self, instance: models.Model) -> None:
        record_delete(instance, by=self.request.user)

    @extend_schema(responses=AuditEntrySerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: Request, pk: Any = None) -> Response:
        """Who changed what and when on this record, newest first."""
        entries = history_of(self.get_object())
        return Response(AuditEntrySerializer(entries.select_related("content_type"), many=True).data)


class UpdateOnlyViewSet(
    IdempotencyMixin,
    ScopedMixin,
    mixins.UpdateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Reference data that users list and adjust but neither create nor delete."""

    http_method_names = ["get", "put", "patch", "head", "options"]
