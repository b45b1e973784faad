"""The product category tree of the demo company, parents before their children."""

from functools import partial
from operator import attrgetter

from .. import services
from ..models import Company, ProductCategory
from .loader import Loader, index

SEPARATOR = " / "
CATEGORIES = (
    "Raw materials",
    "Raw materials / Steel",
    "Raw materials / Aluminium",
    "Fasteners",
    "Paints & coatings",
    "Components",
    "Components / Castors",
    "Components / Hardware",
    "Components / Worktops",
    "Finished goods",
    "Finished goods / Shelving",
    "Finished goods / Workbenches",
    "Finished goods / Trolleys",
    "Finished goods / Cabinets",
    "Services",
)


def load_categories(loader: Loader, company: Company) -> dict[str, ProductCategory]:
    existing = index(ProductCategory.objects.filter(company=company), attrgetter("full_name"))
    categories: dict[str, ProductCategory] = {}
    for full_name in CATEGORIES:
        parent, _separator, name = full_name.rpartition(SEPARATOR)
        create = partial(_create, loader, company, name, categories.get(parent))
        categories[full_name] = loader.ensure(existing, full_name, create)
    return categories


def _create(loader: Loader, company: Company, name: str, parent: ProductCategory | None) -> ProductCategory:
    return services.product_category_save(ProductCategory(company=company, name=name, parent=parent), by=loader.by)
