from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "tessera.inventory"
    label = "inventory"
    verbose_name = _("Inventory")

    def ready(self) -> None:
        from tessera.core import hooks
        from tessera.core.transactions import configuration_models

        from . import routes
        from .demo import load_inventory_demo
        from .models import CategoryValuation, Location, ProductStock, Warehouse
        from .navigation import register_inventory_section
        from .services import company_inventory_setup

        hooks.register_company_setup(company_inventory_setup)
        hooks.register_demo_loader(load_inventory_demo)
        routes.register_manual_route()
        register_inventory_section()
        configuration_models(Warehouse, Location, ProductStock, CategoryValuation)
