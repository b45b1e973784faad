"""Tessera, the integrated ERP for small and mid-sized companies."""

from .celery import app as celery_app

__all__ = ["celery_app"]
