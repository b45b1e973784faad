from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("accounts", api.AccountViewSet)
router.register("account-roles", api.AccountRoleViewSet)
router.register("journals", api.JournalViewSet)
router.register("fiscal-years", api.FiscalYearViewSet)
router.register("entries", api.JournalEntryViewSet)
router.register("journal-items", api.JournalItemViewSet)
router.register("taxes", api.TaxViewSet)
router.register("fiscal-positions", api.FiscalPositionViewSet)
router.register("invoices", api.InvoiceViewSet)
router.register("payments", api.PaymentViewSet)
router.register("bank-statements", api.BankStatementViewSet)
router.register("bank-statement-lines", api.BankStatementLineViewSet)

urlpatterns = [
    path("", include(router.urls)),
    path("reports/trial-balance/", api.TrialBalanceView.as_view(), name="accounting-trial-balance"),
    path("reports/general-ledger/", api.GeneralLedgerView.as_view(), name="accounting-general-ledger"),
    path("reports/vat-return/", api.VatReturnView.as_view(), name="accounting-vat-return"),
    path("reports/aged-receivables/", api.AgedView.as_view(), name="accounting-aged-receivables"),
    path("reports/aged-payables/", api.AgedPayablesView.as_view(), name="accounting-aged-payables"),
    path("reports/partner-ledger/", api.PartnerLedgerView.as_view(), name="accounting-partner-ledger"),
    path("reports/profit-and-loss/", api.ProfitAndLossView.as_view(), name="accounting-profit-and-loss"),
    path("reports/balance-sheet/", api.BalanceSheetView.as_view(), name="accounting-balance-sheet"),
    path("reconciliations/", api.ReconcileView.as_view(), name="accounting-reconcile"),
    path("exports/entries/", api.EntryExportView.as_view(), name="accounting-export-entries"),
]
