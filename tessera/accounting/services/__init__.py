"""Accounting operations. The back office, the API and commands call these."""

from .bank import (
    CSV_COLUMNS,
    CSV_OPTIONS,
    ImportResult,
    bank_line_post,
    bank_line_proposals,
    bank_line_reconcile,
    bank_statement_auto_reconcile,
    bank_statement_import,
    csv_mapping,
)
from .closing import fiscal_year_close
from .invoices import (
    DraftLine,
    fiscal_position_for,
    invoice_cancel,
    invoice_credit_note,
    invoice_line_defaults,
    invoice_post,
    invoice_save,
    map_taxes,
)
from .ledger import (
    journal_entry_delete,
    journal_entry_post,
    journal_entry_post_generated,
    journal_entry_reverse,
    journal_entry_save,
    period_for,
)
from .reconciliation import KEEP_OPEN, WRITE_OFF, open_lines, payment_post, payment_register, reconcile, residuals, unreconcile
from .setup import account_for_role, chart_load, company_accounting_setup, journal_save

__all__ = [
    "CSV_COLUMNS",
    "CSV_OPTIONS",
    "KEEP_OPEN",
    "WRITE_OFF",
    "DraftLine",
    "ImportResult",
    "account_for_role",
    "bank_line_post",
    "bank_line_proposals",
    "bank_line_reconcile",
    "bank_statement_auto_reconcile",
    "bank_statement_import",
    "chart_load",
    "company_accounting_setup",
    "csv_mapping",
    "fiscal_position_for",
    "fiscal_year_close",
    "invoice_cancel",
    "invoice_credit_note",
    "invoice_line_defaults",
    "invoice_post",
    "invoice_save",
    "journal_entry_delete",
    "journal_entry_post",
    "journal_entry_post_generated",
    "journal_entry_reverse",
    "journal_entry_save",
    "journal_save",
    "map_taxes",
    "open_lines",
    "payment_post",
    "payment_register",
    "period_for",
    "reconcile",
    "residuals",
    "unreconcile",
]
