"""The inventory API under /api/v1/inventory/: resources and their actions."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
