from .landed_costs import LandedCost, SplitMethod
from .matching import BillMatch, BillMatchLine
from .orders import PurchaseOrder, PurchaseOrderLine
from .payment_runs import PaymentRun, PaymentRunLine
from .prices import SupplierPrice
from .settings import PurchaseSettings

__all__ = [
    "BillMatch",
    "BillMatchLine",
    "LandedCost",
    "PaymentRun",
    "PaymentRunLine",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "PurchaseSettings",
    "SplitMethod",
    "SupplierPrice",
]
