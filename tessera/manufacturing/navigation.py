"""The manufacturing section of the back-office sidebar."""

from django.utils.translation import gettext_lazy as _

from tessera.core.backoffice import NavItem, NavSection, register_section


def register_manufacturing_section() -> None:
    """Registered from ManufacturingConfig.ready()."""
    register_section(
        NavSection(
            _("Manufacturing"),
            order=22,
            items=(
                NavItem(_("Bills of materials"), "account_tree", "admin:manufacturing_bom_changelist", "manufacturing.view_bom"),
                NavItem(_("Routings"), "route", "admin:manufacturing_routing_changelist", "manufacturing.view_routing"),
                NavItem(_("Work centres"), "precision_manufacturing", "admin:manufacturing_workcentre_changelist",
                        "manufacturing.view_workcentre"),
            ),
        )
    )  # fmt: skip
