"""The model field types every module uses for money, prices and quantities."""

from django.db import models


class AmountField(models.DecimalField):
    """A monetary amount: NUMERIC(20,4)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 20)
        kwargs.setdefault("decimal_places", 4)
        super().__init__(*args, **kwargs)


class PriceField(models.DecimalField):
    """A unit price or cost: NUMERIC(20,6)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 20)
        kwargs.setdefault("decimal_places", 6)
        super().__init__(*args, **kwargs)


class QuantityField(models.DecimalField):
    """A quantity in some unit of measure: NUMERIC(20,6)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 20)
        kwargs.setdefault("decimal_places", 6)
        super().__init__(*args, **kwargs)


class WebsiteField(models.URLField):
    """A web address; typed without a scheme it is taken as https://."""

    def formfield(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        return super().formfield(**kwargs)
