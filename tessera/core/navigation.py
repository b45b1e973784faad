"""The core's sections of the back-office sidebar."""

from django.utils.translation import gettext_lazy as _

from .backoffice import NavItem, NavSection, register_section


def register_core_sections() -> None:
    register_section(
        NavSection(
            _("Master data"),
            order=10,
            items=(
                NavItem(_("Partners"), "handshake", "admin:core_partner_changelist", "core.view_partner"),
                NavItem(_("Products"), "inventory_2", "admin:core_product_changelist", "core.view_product"),
                NavItem(
                    _("Product categories"), "account_tree", "admin:core_productcategory_changelist", "core.view_productcategory"
                ),
                NavItem(
                    _("Bank accounts"),
                    "account_balance",
                    "admin:core_partnerbankaccount_changelist",
                    "core.view_partnerbankaccount",
                ),
            ),
        )
    )
    register_section(
        NavSection(
            _("Settings"),
            order=900,
            items=(
                NavItem(_("Companies"), "domain", "admin:core_company_changelist", "core.view_company"),
                NavItem(_("Currencies"), "payments", "admin:core_currency_changelist", "core.view_currency"),
                NavItem(_("Exchange rates"), "currency_exchange", "admin:core_currencyrate_changelist", "core.view_currencyrate"),
                NavItem(_("Units of measure"), "straighten", "admin:core_uom_changelist", "core.view_uom"),
                NavItem(_("Unit categories"), "category", "admin:core_uomcategory_changelist", "core.view_uomcategory"),
                NavItem(_("Payment terms"), "event", "admin:core_paymentterm_changelist", "core.view_paymentterm"),
                NavItem(_("Sequences"), "format_list_numbered", "admin:core_sequence_changelist", "core.view_sequence"),
            ),
        )
    )
    register_section(
        NavSection(
            _("Users and security"),
            order=950,
            items=(
                NavItem(_("Users"), "person", "admin:core_user_changelist", "core.view_user"),
                NavItem(_("Roles"), "groups", "admin:auth_group_changelist", "auth.view_group"),
                NavItem(_("Audit trail"), "history", "admin:core_auditentry_changelist", "core.view_auditentry"),
            ),
        )
    )
