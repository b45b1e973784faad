"""The accounting section of the back-office sidebar."""

from django.utils.translation import gettext_lazy as _

from tessera.core.backoffice import NavItem, NavSection, register_section


def register_accounting_section() -> None:
    register_section(
        NavSection(
            _("Accounting"),
            order=20,
            items=(
                NavItem(
                    _("Invoices and bills"), "request_quote", "admin:accounting_invoice_changelist", "accounting.view_invoice"
                ),
                NavItem(
                    _("Journal entries"),
                    "receipt_long",
                    "admin:accounting_journalentry_changelist",
                    "accounting.view_journalentry",
                ),
                NavItem(_("Journal items"), "list", "admin:accounting_journalline_changelist", "accounting.view_journalline"),
                NavItem(_("Payments"), "payments", "admin:accounting_payment_changelist", "accounting.view_payment"),
                NavItem(
                    _("Bank statements"),
                    "account_balance",
                    "admin:accounting_bankstatement_changelist",
                    "accounting.view_bankstatement",
                ),
                NavItem(_("Reports"), "balance", "admin:accounting-trial-balance", "accounting.view_journalline"),
                NavItem(_("Chart of accounts"), "account_tree", "admin:accounting_account_changelist", "accounting.view_account"),
                NavItem(_("Journals"), "menu_book", "admin:accounting_journal_changelist", "accounting.view_journal"),
                NavItem(_("Account roles"), "label", "admin:accounting_accountrole_changelist", "accounting.view_accountrole"),
                NavItem(_("Taxes"), "percent", "admin:accounting_tax_changelist", "accounting.view_tax"),
                NavItem(
                    _("Fiscal positions"),
                    "public",
                    "admin:accounting_fiscalposition_changelist",
                    "accounting.view_fiscalposition",
                ),
                NavItem(_("Product taxes"), "sell", "admin:accounting_producttaxes_changelist", "accounting.view_producttaxes"),
                NavItem(
                    _("Fiscal years"), "calendar_month", "admin:accounting_fiscalyear_changelist", "accounting.view_fiscalyear"
                ),
                NavItem(
                    _("Settings"),
                    "settings",
                    "admin:accounting_accountingsettings_changelist",
                    "accounting.view_accountingsettings",
                ),
            ),
        )
    )
