from .matching import BillMatch, BillMatchLine
from .orders import PurchaseOrder, PurchaseOrderLine
from .prices import SupplierPrice
from .settings import PurchaseSettings

__all__ = ["BillMatch", "BillMatchLine", "PurchaseOrder", "PurchaseOrderLine", "PurchaseSettings", "SupplierPrice"]
