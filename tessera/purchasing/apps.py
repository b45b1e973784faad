from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasingConfig(AppConfig):
    name = "tessera.purchasing"
    label = "purchasing"
    verbose_name = _("Purchasing")

    def ready(self) -> None:
        from tessera.accounting import hooks as accounting_hooks
        from tessera.core import hooks
        from tessera.core.transactions import configuration_models
        from tessera.inventory import hooks as inventory_hooks

        from .demo import load_purchasing_demo
        from .models import PurchaseSettings
        from .navigation import register_purchasing_section
        from .services import BUY, buy_needs, company_purchasing_setup, purchase_bills_follow_posted, purchase_orders_follow_moves

        hooks.register_company_setup(company_purchasing_setup)
        hooks.register_demo_loader(load_purchasing_demo)
        register_purchasing_section()
        inventory_hooks.register_route(BUY, _("Buy (requests for quotation to the best supplier)"), buy_needs)
        inventory_hooks.register_moves_done(purchase_orders_follow_moves)
        accounting_hooks.register_invoice_posted(purchase_bills_follow_posted)
        configuration_models(PurchaseSettings)
