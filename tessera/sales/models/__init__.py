from .crm import Activity, ActivityKind, Lead, LeadKind, LeadState, LostReason, Stage
from .orders import InvoicePolicy, SaleOrder, SaleOrderLine
from .pricelists import CustomerPricelist, Pricelist, PricelistItem

__all__ = [
    "Activity", "ActivityKind", "CustomerPricelist", "InvoicePolicy", "Lead", "LeadKind", "LeadState", "LostReason",
    "Pricelist", "PricelistItem", "SaleOrder", "SaleOrderLine", "Stage",
]  # fmt: skip
