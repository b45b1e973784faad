from .crm import Activity, ActivityKind, Lead, LeadKind, LeadState, LostReason, Stage
from .orders import InvoicePolicy, SaleOrder, SaleOrderLine

__all__ = [
    "Activity", "ActivityKind", "InvoicePolicy", "Lead", "LeadKind", "LeadState", "LostReason", "SaleOrder", "SaleOrderLine",
    "Stage",
]  # fmt: skip
