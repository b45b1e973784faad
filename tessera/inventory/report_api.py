"""The inventory reports under /api/v1/inventory/reports/."""

urlpatterns: list = []
