"""Filtering for the API (REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"]): django-filter and DRF's search and
ordering, refusing input the database cannot take."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField
from rest_framework import exceptions
from rest_framework import filters as drf_filters
from rest_framework.request import Request

MAX_SEARCH_TERMS = 20


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time that still exists in UTC: ?at__gte=9999-12-31T23:59:59-01:00 is year 10000 there,
    which the SQLite backend cannot convert (OverflowError, a 500) when it makes the value naive in UTC."""

    def to_python(self, value: Any) -> datetime.datetime | None:
        result = super().to_python(value)
        if result is not None:
            try:
                result.astimezone(datetime.UTC)
            except OverflowError:
                raise ValidationError(_("Enter a date and time between the years 1 and 9999 (UTC)."), code="invalid") from None
        return result


class UtcDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class FilterSet(filters.FilterSet):
    """Base of the API's filter sets: date-time fields filter through UtcDateTimeFilter."""

    FILTER_DEFAULTS = {**filters.FilterSet.FILTER_DEFAULTS, models.DateTimeField: {"filter_class": UtcDateTimeFilter}}


class FilterBackend(filters.DjangoFilterBackend):
    filterset_base = FilterSet


class SearchFilter(drf_filters.SearchFilter):
    """?search= with at most MAX_SEARCH_TERMS words: each word adds an OR over every search field, and
    SQLite refuses a query nested deeper than 1000 (a 500 at about 1000 words)."""

    def get_search_terms(self, request: Request) -> list[str]:
        try:
            terms = super().get_search_terms(request)
        except exceptions.ValidationError as exc:
            raise exceptions.ValidationError({self.search_param: exc.detail}) from None
        if len(terms) > MAX_SEARCH_TERMS:
            message = _("Search for at most %(count)d words.") % {"count": MAX_SEARCH_TERMS}
            raise exceptions.ValidationError({self.search_param: [message]})
        return terms
