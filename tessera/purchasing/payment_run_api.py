"""Supplier payment runs under /api/v1/purchasing/payment-runs/ (being written)."""

urlpatterns: list = []
