from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "tessera.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from tessera.accounting import hooks as accounting_hooks
        from tessera.core import hooks
        from tessera.core.transactions import configuration_models
        from tessera.inventory import hooks as inventory_hooks

        from .demo import load_sales_demo
        from .models import CustomerPricelist, Pricelist, PricelistItem
        from .models.pricelists import CustomerGroup
        from .navigation import register_sales_section
        from .services import (
            company_crm_setup,
            company_sales_setup,
            sale_orders_follow_cancelled_invoice,
            sale_orders_follow_moves,
        )

        hooks.register_company_setup(company_sales_setup)
        hooks.register_company_setup(company_crm_setup)
        hooks.register_demo_loader(load_sales_demo)
        inventory_hooks.register_moves_done(sale_orders_follow_moves)
        accounting_hooks.register_invoice_cancelled(sale_orders_follow_cancelled_invoice)
        register_sales_section()
        configuration_models(Pricelist, PricelistItem, CustomerGroup, CustomerPricelist)
