"""Inventory report pages in the back office."""

from django.contrib.admin import AdminSite
from django.urls import URLPattern


def report_urlpatterns(site: AdminSite) -> list[URLPattern]:
    """The report pages, mounted by the back office under admin/inventory/…; named inventory-report-<slug>."""
    return []
