"""The purchasing analysis under /api/v1/purchasing/reports/ (being written)."""

urlpatterns: list = []
