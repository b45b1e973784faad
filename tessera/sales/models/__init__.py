from .orders import InvoicePolicy, SaleOrder, SaleOrderLine

__all__ = ["InvoicePolicy", "SaleOrder", "SaleOrderLine"]
