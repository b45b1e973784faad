"""The sales section of the back-office sidebar."""

from django.utils.translation import gettext_lazy as _

from tessera.core.backoffice import NavItem, NavSection, register_section


def register_sales_section() -> None:
    register_section(
        NavSection(
            _("Sales"),
            order=15,
            items=(
                NavItem(_("Quotations and orders"), "shopping_cart", "admin:sales_saleorder_changelist", "sales.view_saleorder"),
            ),
        )
    )
