from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountingConfig(AppConfig):
    name = "tessera.accounting"
    label = "accounting"
    verbose_name = _("Accounting")

    def ready(self) -> None:
        from tessera.core import hooks
        from tessera.core.transactions import configuration_models

        from .demo import load_accounting_demo
        from .models import (
            Account,
            AccountingSettings,
            AccountRole,
            FiscalPosition,
            FiscalYear,
            Journal,
            Period,
            ProductTaxes,
            Tax,
            TaxDistribution,
            TaxMapping,
        )
        from .navigation import register_accounting_section
        from .services import company_accounting_setup

        hooks.register_company_setup(company_accounting_setup)
        hooks.register_demo_loader(load_accounting_demo)
        register_accounting_section()
        configuration_models(
            AccountingSettings, AccountRole, Account, Tax, TaxDistribution, TaxMapping, FiscalPosition, ProductTaxes, Journal,
            FiscalYear, Period,
        )  # fmt: skip
