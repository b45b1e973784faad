"""Sales operations. The back office, the API and commands call these."""

from .orders import (
    OrderLineDraft,
    company_sales_setup,
    sale_order_cancel,
    sale_order_confirm,
    sale_order_invoice,
    sale_order_save,
    sale_orders_follow_moves,
)

__all__ = [
    "OrderLineDraft",
    "company_sales_setup",
    "sale_order_cancel",
    "sale_order_confirm",
    "sale_order_invoice",
    "sale_order_save",
    "sale_orders_follow_moves",
]
