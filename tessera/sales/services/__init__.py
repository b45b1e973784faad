"""Sales operations. The back office, the API and commands call these."""

from .crm import (
    activity_done,
    activity_schedule,
    company_crm_setup,
    lead_convert,
    lead_save,
    opportunity_mark_lost,
    opportunity_mark_won,
    opportunity_move_stage,
    opportunity_quote,
)
from .invoicing import invoice_status_of, sale_order_down_payment, sale_order_invoice, sale_orders_follow_cancelled_invoice
from .orders import (
    OrderLineDraft,
    company_sales_setup,
    sale_order_cancel,
    sale_order_confirm,
    sale_order_save,
    sale_orders_follow_moves,
)
from .sending import sale_order_mark_sent, sale_order_send

__all__ = [
    "OrderLineDraft",
    "activity_done",
    "activity_schedule",
    "company_crm_setup",
    "company_sales_setup",
    "invoice_status_of",
    "lead_convert",
    "lead_save",
    "opportunity_mark_lost",
    "opportunity_mark_won",
    "opportunity_move_stage",
    "opportunity_quote",
    "sale_order_cancel",
    "sale_order_confirm",
    "sale_order_down_payment",
    "sale_order_invoice",
    "sale_order_mark_sent",
    "sale_order_save",
    "sale_order_send",
    "sale_orders_follow_cancelled_invoice",
    "sale_orders_follow_moves",
]
