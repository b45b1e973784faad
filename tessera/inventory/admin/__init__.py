"""Back office of inventory: warehouses and locations, transfers with their validation and return
pages, moves and on-hand stock, lots, counts, scrap, replenishment and valuation."""

from . import counts, ledger, replenishment, setup, transfers

__all__ = ["counts", "ledger", "replenishment", "setup", "transfers"]
