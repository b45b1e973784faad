"""Demo data for inventory: warehouses, opening stock, lots, reordering rules and months of movements."""

from tessera.core.models import Company, User


def load_inventory_demo(company: Company, by: User) -> None:
    """Registered with core: adds what is missing to the demo company."""
