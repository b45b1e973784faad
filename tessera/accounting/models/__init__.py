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
from .entries import AccountBalance, AccountingSettings, JournalEntry, JournalLine, LedgerChain
from .periods import FiscalYear, Period

__all__ = [
    "ALWAYS_RECONCILED",
    "BALANCE_SHEET_TYPES",
    "PROFIT_AND_LOSS_TYPES",
    "Account",
    "AccountBalance",
    "AccountRole",
    "AccountType",
    "AccountingSettings",
    "FiscalYear",
    "Journal",
    "JournalEntry",
    "JournalLine",
    "JournalType",
    "LedgerChain",
    "Period",
]
