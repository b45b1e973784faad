from .crm import Activity, ActivityKind, Lead, LeadKind, LeadState, LostReason, Stage
from .down_payments import SaleDownPayment, SaleDownPaymentDeduction, down_payments_with_deducted
from .invoicing import SaleLineInvoicing
from .orders import InvoicePolicy, SaleOrder, SaleOrderLine
from .pricelists import CustomerPricelist, Pricelist, PricelistItem

__all__ = [
    "Activity", "ActivityKind", "CustomerPricelist", "InvoicePolicy", "Lead", "LeadKind", "LeadState", "LostReason",
    "Pricelist", "PricelistItem", "SaleDownPayment", "SaleDownPaymentDeduction", "SaleLineInvoicing", "SaleOrder",
    "SaleOrderLine", "Stage", "down_payments_with_deducted",
]  # fmt: skip
