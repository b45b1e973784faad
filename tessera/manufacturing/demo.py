"""Manufacturing demo data (being written)."""

from tessera.core.models import Company, User


def load_manufacturing_demo(company: Company, by: User) -> None:
    """Registered with core's demo loaders."""
