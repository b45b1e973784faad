"""The purchasing section of the back-office sidebar."""

from django.utils.translation import gettext_lazy as _

from tessera.core.backoffice import NavItem, NavSection, register_section


def register_purchasing_section() -> None:
    """Registered from PurchasingConfig.ready()."""
    register_section(
        NavSection(
            _("Purchasing"),
            order=18,
            items=(
                NavItem(_("RFQs and orders"), "shopping_bag", "admin:purchasing_purchaseorder_changelist",
                        "purchasing.view_purchaseorder"),
                NavItem(_("Supplier prices"), "sell", "admin:purchasing_supplierprice_changelist",
                        "purchasing.view_supplierprice"),
                NavItem(_("Bills to check"), "rule", "admin:purchasing_billmatch_changelist", "purchasing.view_billmatch"),
                NavItem(_("Payment runs"), "payments", "admin:purchasing_paymentrun_changelist", "purchasing.view_paymentrun"),
                NavItem(_("Landed costs"), "local_shipping", "admin:purchasing_landedcost_changelist",
                        "purchasing.view_landedcost"),
                NavItem(_("Purchasing analysis"), "analytics", "admin:purchasing-report-spend", "purchasing.view_purchaseorder"),
                NavItem(_("Settings"), "settings", "admin:purchasing_purchasesettings_changelist",
                        "purchasing.view_purchasesettings"),
            ),
        )
    )  # fmt: skip
