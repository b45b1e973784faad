"""Sending RFQs and purchase orders to the supplier (being written)."""
