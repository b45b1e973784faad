from .accounts import (
    ALWAYS_RECONCILED,
    BALANCE_SHEET_TYPES,
    PROFIT_AND_LOSS_TYPES,
    Account,
    AccountRole,
    AccountType,
    Journal,
    JournalType,
)
from .bank import BankStatement, BankStatementLine, StatementLineState
from .entries import AccountBalance, AccountingSettings, JournalEntry, JournalLine, LedgerChain, TaxRounding
from .invoices import REFUND_KINDS, SALE_KINDS, Invoice, InvoiceKind, InvoiceLine
from .payments import Matching, Payment, PaymentDirection
from .periods import FiscalYear, Period
from .taxes import FiscalPosition, FiscalPositionKind, ProductTaxes, Tax, TaxDistribution, TaxMapping, TaxUse

__all__ = [
    "ALWAYS_RECONCILED",
    "BALANCE_SHEET_TYPES",
    "PROFIT_AND_LOSS_TYPES",
    "REFUND_KINDS",
    "SALE_KINDS",
    "Account",
    "AccountBalance",
    "AccountRole",
    "AccountType",
    "AccountingSettings",
    "BankStatement",
    "BankStatementLine",
    "FiscalPosition",
    "FiscalPositionKind",
    "FiscalYear",
    "Invoice",
    "InvoiceKind",
    "InvoiceLine",
    "Journal",
    "JournalEntry",
    "JournalLine",
    "JournalType",
    "LedgerChain",
    "Matching",
    "Payment",
    "PaymentDirection",
    "Period",
    "ProductTaxes",
    "StatementLineState",
    "Tax",
    "TaxDistribution",
    "TaxMapping",
    "TaxRounding",
    "TaxUse",
]
