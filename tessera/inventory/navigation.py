"""The inventory section of the back-office sidebar."""

from django.utils.translation import gettext_lazy as _

from tessera.core.backoffice import NavItem, NavSection, register_section


def register_inventory_section() -> None:
    register_section(
        NavSection(
            _("Inventory"),
            order=30,
            items=(
                NavItem(_("Transfers"), "local_shipping", "admin:inventory_transfer_changelist", "inventory.view_transfer"),
                NavItem(_("On hand"), "inventory_2", "admin:inventory_quant_changelist", "inventory.view_quant"),
                NavItem(_("Stock moves"), "swap_horiz", "admin:inventory_move_changelist", "inventory.view_move"),
                NavItem(_("Reports"), "monitoring", "admin:inventory-report-on-hand", "inventory.view_quant"),
                NavItem(_("Valuation"), "euro", "admin:inventory-report-valuation", "inventory.view_valuationlayer"),
                NavItem(
                    _("Inventory counts"),
                    "fact_check",
                    "admin:inventory_inventorycount_changelist",
                    "inventory.view_inventorycount",
                ),
                NavItem(_("Scrap"), "delete_sweep", "admin:inventory_scrap_changelist", "inventory.view_scrap"),
                NavItem(_("Lots and serial numbers"), "qr_code_2", "admin:inventory_lot_changelist", "inventory.view_lot"),
                NavItem(
                    _("Reordering rules"),
                    "autorenew",
                    "admin:inventory_reorderingrule_changelist",
                    "inventory.view_reorderingrule",
                ),
                NavItem(
                    _("Procurement needs"),
                    "shopping_cart",
                    "admin:inventory_procurementneed_changelist",
                    "inventory.view_procurementneed",
                ),
                NavItem(
                    _("Valuation layers"), "stacks", "admin:inventory_valuationlayer_changelist", "inventory.view_valuationlayer"
                ),
                NavItem(_("Warehouses"), "warehouse", "admin:inventory_warehouse_changelist", "inventory.view_warehouse"),
                NavItem(_("Locations"), "shelves", "admin:inventory_location_changelist", "inventory.view_location"),
                NavItem(
                    _("Product stock settings"), "tune", "admin:inventory_productstock_changelist", "inventory.view_productstock"
                ),
                NavItem(
                    _("Category valuations"),
                    "category",
                    "admin:inventory_categoryvaluation_changelist",
                    "inventory.view_categoryvaluation",
                ),
            ),
        )
    )
