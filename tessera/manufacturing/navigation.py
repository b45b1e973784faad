"""The manufacturing section of the back-office sidebar (being written)."""


def register_manufacturing_section() -> None:
    """Registered from ManufacturingConfig.ready()."""
