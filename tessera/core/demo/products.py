"""Loading the demo catalogue: about 200 products, each recognised by its SKU."""

from functools import partial
from operator import attrgetter

from ..models import Company, Product, ProductCategory, Uom
from .catalogue import ProductSpec
from .finished_goods import finished_goods
from .loader import Loader, index
from .materials import materials


def catalogue() -> list[ProductSpec]:
    return materials() + finished_goods()


def load_products(loader: Loader, company: Company, categories: dict[str, ProductCategory]) -> None:
    units = index(Uom.objects.all(), attrgetter("name"))
    existing = index(Product.objects.filter(company=company), attrgetter("sku"))
    for spec in catalogue():
        loader.ensure(existing, spec.sku, partial(_create, loader, company, spec, categories[spec.category], units))


def _create(loader: Loader, company: Company, spec: ProductSpec, category: ProductCategory, units: dict[str, Uom]) -> Product:
    product = Product(
        company=company,
        sku=spec.sku,
        name=spec.name,
        category=category,
        type=spec.product_type,
        uom=units[spec.uom],
        purchase_uom=units[spec.purchase_uom],
        cost=spec.cost,
        sale_price=spec.sale_price,
        can_be_sold=spec.can_be_sold,
        can_be_purchased=spec.can_be_purchased,
        barcode=spec.barcode,
    )
    return loader.save(product)
