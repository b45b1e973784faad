"""What a demo product is made of, and the helper the product lists are written with."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from ..models import ProductType
from .identifiers import ean13

# The GS1 company prefix of the demo company's own barcodes (54 is Belgium).
BARCODE_PREFIX = "5412345"


@dataclass(frozen=True)
class ProductSpec:
    sku: str
    name: str
    category: str  # full name, such as "Raw materials / Steel"
    uom: str
    purchase_uom: str
    product_type: str
    cost: Decimal
    sale_price: Decimal
    can_be_sold: bool
    can_be_purchased: bool
    barcode: str = ""


@dataclass(frozen=True)
class Family:
    """Products of one category that are counted, bought, sold and typed alike."""

    category: str
    uom: str
    purchase_uom: str = ""
    product_type: str = ProductType.STOCKABLE
    can_be_sold: bool = False
    can_be_purchased: bool = True
    # First item number of the family's EAN-13 barcodes; None: the family has no barcodes.
    barcode_from: int | None = None

    def products(self, rows: Iterable[tuple[str, str, str, str]]) -> list[ProductSpec]:
        """One product per (sku, name, cost, sale price) row; amounts are written as strings."""
        return [self.product(position, *row) for position, row in enumerate(rows)]

    def product(self, position: int, sku: str, name: str, cost: str, sale_price: str) -> ProductSpec:
        barcode = "" if self.barcode_from is None else ean13(f"{BARCODE_PREFIX}{self.barcode_from + position:05d}")
        return ProductSpec(
            sku=sku,
            name=name,
            category=self.category,
            uom=self.uom,
            purchase_uom=self.purchase_uom or self.uom,
            product_type=self.product_type,
            cost=Decimal(cost),
            sale_price=Decimal(sale_price),
            can_be_sold=self.can_be_sold,
            can_be_purchased=self.can_be_purchased,
            barcode=barcode,
        )
