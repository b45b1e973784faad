from .counts import InventoryCount, InventoryCountLine, Scrap
from .locations import STOCK_USAGES, VIRTUAL_USAGES, Location, LocationUsage, Warehouse
from .products import CategoryValuation, CostMethod, Lot, ProcurementMethod, ProductStock, Tracking
from .replenishment import ProcurementNeed, ReorderingRule
from .stock import Move, MoveLine, Quant, Transfer, TransferKind
from .valuation import ValuationLayer

__all__ = [
    "STOCK_USAGES",
    "VIRTUAL_USAGES",
    "CategoryValuation",
    "CostMethod",
    "InventoryCount",
    "InventoryCountLine",
    "Location",
    "LocationUsage",
    "Lot",
    "Move",
    "MoveLine",
    "ProcurementMethod",
    "ProcurementNeed",
    "ProductStock",
    "Quant",
    "ReorderingRule",
    "Scrap",
    "Tracking",
    "Transfer",
    "TransferKind",
    "ValuationLayer",
    "Warehouse",
]
