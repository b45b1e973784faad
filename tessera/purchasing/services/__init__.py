"""Purchasing operations. The back office, the API and commands call these."""

from .bills import bill_match_accept, purchase_bill_link, purchase_bills_follow_posted, purchase_order_bill
from .landed_costs import landed_cost_post, landed_cost_save
from .orders import (
    PurchaseLineDraft,
    company_purchasing_setup,
    line_drafts,
    purchase_order_approve,
    purchase_order_cancel,
    purchase_order_confirm,
    purchase_order_mark_sent,
    purchase_order_save,
    purchase_settings,
)
from .payment_runs import bills_due, payment_run_cancel, payment_run_create, payment_run_file, payment_run_mark_sent
from .prices import supplier_price_for
from .receipts import purchase_order_receive, purchase_orders_follow_moves
from .route import BUY, buy_needs
from .sending import purchase_order_send

__all__ = [
    "BUY",
    "PurchaseLineDraft",
    "bill_match_accept",
    "bills_due",
    "buy_needs",
    "company_purchasing_setup",
    "landed_cost_post",
    "landed_cost_save",
    "line_drafts",
    "payment_run_cancel",
    "payment_run_create",
    "payment_run_file",
    "payment_run_mark_sent",
    "purchase_bill_link",
    "purchase_bills_follow_posted",
    "purchase_order_approve",
    "purchase_order_bill",
    "purchase_order_cancel",
    "purchase_order_confirm",
    "purchase_order_mark_sent",
    "purchase_order_receive",
    "purchase_order_save",
    "purchase_order_send",
    "purchase_orders_follow_moves",
    "purchase_settings",
    "supplier_price_for",
]
