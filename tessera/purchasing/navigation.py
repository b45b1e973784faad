"""The purchasing section of the back-office sidebar (being written)."""


def register_purchasing_section() -> None:
    """Registered from PurchasingConfig.ready()."""
