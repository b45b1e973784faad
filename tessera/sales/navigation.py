"""The sales section of the back-office sidebar."""

from django.utils.translation import gettext_lazy as _

from tessera.core.backoffice import NavItem, NavSection, register_section


def register_sales_section() -> None:
    register_section(
        NavSection(
            _("Sales"),
            order=15,
            items=(
                NavItem(_("Pipeline"), "view_kanban", "admin:sales_lead_pipeline", "sales.view_lead"),
                NavItem(_("Leads and opportunities"), "contact_phone", "admin:sales_lead_changelist", "sales.view_lead"),
                NavItem(_("Activities"), "event", "admin:sales_activity_changelist", "sales.view_activity"),
                NavItem(_("Quotations and orders"), "shopping_cart", "admin:sales_saleorder_changelist", "sales.view_saleorder"),
                NavItem(_("Price lists"), "sell", "admin:sales_pricelist_changelist", "sales.view_pricelist"),
                NavItem(_("Customer groups"), "groups", "admin:sales_customergroup_changelist", "sales.view_customergroup"),
                NavItem(_("Sales analysis"), "analytics", "admin:sales-report-margin", "sales.view_saleorder"),
            ),
        )
    )
