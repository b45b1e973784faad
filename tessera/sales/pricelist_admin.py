"""Back office of the price lists: a price list with its items, and the customers' price lists."""

from django.contrib import admin

from tessera.core.backoffice import LinesInline, RecordAdmin

from .models import CustomerPricelist, Pricelist, PricelistItem


class PricelistItemInline(LinesInline):
    model = PricelistItem
    fields = ["product", "category", "min_quantity", "fixed_price", "percent_discount", "date_start", "date_end"]
    autocomplete_fields = ["product"]
    extra = 1


@admin.register(Pricelist)
class PricelistAdmin(RecordAdmin):
    list_display = ["name", "currency", "is_default", "active"]
    list_filter = ["active", "is_default", "currency"]
    fields = ["name", "currency", "is_default", "active"]
    search_fields = ["name"]
    inlines = [PricelistItemInline]


@admin.register(CustomerPricelist)
class CustomerPricelistAdmin(RecordAdmin):
    list_display = ["partner", "pricelist"]
    list_filter = ["pricelist"]
    fields = ["partner", "pricelist"]
    search_fields = ["partner__name", "pricelist__name"]
    autocomplete_fields = ["partner", "pricelist"]
