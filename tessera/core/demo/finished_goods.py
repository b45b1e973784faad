"""What the demo company makes and sells: shelving, workbenches, trolleys and cabinets, and its services."""

from decimal import Decimal
from itertools import product

from ..models import ProductType
from .catalogue import Family, ProductSpec

SHELVING = "Finished goods / Shelving"
WORKBENCHES = "Finished goods / Workbenches"
TROLLEYS = "Finished goods / Trolleys"
CABINETS = "Finished goods / Cabinets"
SERVICES = "Services"

COST_SHARE = Decimal("0.58")  # cost of a shelving unit as a share of its price


def finished_goods() -> list[ProductSpec]:
    return shelving() + workbenches() + trolleys() + cabinets() + services()


def made(category: str, barcode_from: int) -> Family:
    """Products made here and sold, never bought; each family numbers its barcodes from its own block."""
    return Family(category, "Unit", can_be_sold=True, can_be_purchased=False, barcode_from=barcode_from)


def shelving() -> list[ProductSpec]:
    extras = [
        ("SH-GAR-1800", "Garage shelving 1800 x 1000 x 500 mm, 4 shelves of 250 kg", "92.00", "169.00"),
        ("SH-GAR-2000", "Garage shelving 2000 x 1500 x 600 mm, 5 shelves of 250 kg", "128.00", "235.00"),
        ("SH-ARC-2000", "Archive shelving 2000 x 1000 x 300 mm, 6 shelves", "86.00", "159.00"),
        ("SH-ARC-2250", "Archive shelving 2250 x 1000 x 300 mm, 7 shelves", "98.00", "179.00"),
        ("SH-LVL-900-400", "Extra shelf level 900 x 400 mm", "14.50", "27.00"),
        ("SH-LVL-900-600", "Extra shelf level 900 x 600 mm", "17.20", "32.00"),
        ("SH-LVL-1200-400", "Extra shelf level 1200 x 400 mm", "17.80", "33.00"),
        ("SH-LVL-1200-600", "Extra shelf level 1200 x 600 mm", "21.50", "39.00"),
    ]
    return made(SHELVING, 10000).products(boltless_shelving() + extras)


def boltless_shelving() -> list[tuple[str, str, str, str]]:
    """Every size of the boltless shelving range, priced by height and shelf area; add-on bays share an upright."""
    rows = []
    for (height, shelves), width, depth in product(((1800, 4), (2000, 5), (2500, 6)), (900, 1200), (400, 600)):
        price = 60 + Decimal(height) / 25 + shelves * (Decimal(width * depth) / 20000 + 10)
        size = f"{height} x {width} x {depth} mm, {shelves} shelves"
        rows.append((f"SH-BL-{height}-{width}-{depth}", f"Boltless shelving unit {size}", *_cost_and_price(price)))
    for depth, (height, shelves) in product((400, 600), ((2000, 5), (2500, 6))):
        price = Decimal(height) / 40 + shelves * (Decimal(1200 * depth) / 20000 + 10)
        size = f"{height} x 1200 x {depth} mm, {shelves} shelves"
        rows.append((f"SH-BL-ADD-{height}-1200-{depth}", f"Boltless shelving add-on bay {size}", *_cost_and_price(price)))
    return rows


def _cost_and_price(price: Decimal) -> tuple[str, str]:
    price = price.quantize(Decimal(1))
    return str((price * COST_SHARE).quantize(Decimal("0.01"))), f"{price}.00"


def workbenches() -> list[ProductSpec]:
    rows = [
        ("WB-BEECH-1200", "Workbench 1200 x 750 mm, beech top", "185.00", "349.00"),
        ("WB-BEECH-1500", "Workbench 1500 x 750 mm, beech top", "205.00", "389.00"),
        ("WB-BEECH-1800", "Workbench 1800 x 750 mm, beech top", "228.00", "429.00"),
        ("WB-BEECH-2000", "Workbench 2000 x 750 mm, beech top", "246.00", "465.00"),
        ("WB-STEEL-1500", "Workbench 1500 x 750 mm, steel-clad top", "248.00", "469.00"),
        ("WB-STEEL-2000", "Workbench 2000 x 750 mm, steel-clad top", "292.00", "549.00"),
        ("WB-ESD-1500", "ESD workbench 1500 x 750 mm", "276.00", "529.00"),
        ("WB-ESD-1800", "ESD workbench 1800 x 750 mm", "305.00", "585.00"),
        ("WB-HD-1500", "Heavy-duty workbench 1500 x 750 mm with drawer unit", "398.00", "749.00"),
        ("WB-HD-2000", "Heavy-duty workbench 2000 x 750 mm with drawer unit", "452.00", "849.00"),
        ("WB-HA-1500", "Height-adjustable workbench 1500 x 750 mm", "465.00", "895.00"),
        ("WB-HA-1800", "Height-adjustable workbench 1800 x 750 mm", "512.00", "985.00"),
        ("WB-PACK-1600", "Packing table 1600 x 800 mm with paper roll holder", "318.00", "609.00"),
        ("WB-PANEL-1500", "Perforated tool panel 1500 x 500 mm", "42.00", "89.00"),
        ("WB-PANEL-2000", "Perforated tool panel 2000 x 500 mm", "54.00", "115.00"),
    ]
    return made(WORKBENCHES, 20000).products(rows)


def trolleys() -> list[ProductSpec]:
    rows = [
        ("TR-PLAT-1000", "Platform trolley 1000 x 600 mm, 300 kg", "78.00", "159.00"),
        ("TR-PLAT-1200", "Platform trolley 1200 x 800 mm, 500 kg", "112.00", "229.00"),
        ("TR-SHELF-2", "Shelf trolley 1000 x 600 mm, 2 shelves", "96.00", "195.00"),
        ("TR-SHELF-3", "Shelf trolley 1000 x 600 mm, 3 shelves", "118.00", "239.00"),
        ("TR-PICK", "Order-picking trolley with 6 bins", "138.00", "279.00"),
        ("TR-WORK-3D", "Workshop trolley with 3 drawers", "156.00", "315.00"),
        ("TR-TOOL-5D", "Tool trolley with 5 lockable drawers", "214.00", "429.00"),
        ("TR-GAS", "Gas cylinder trolley for 2 cylinders", "84.00", "169.00"),
        ("TR-SHEET", "Sheet trolley 1500 x 800 mm, 800 kg", "248.00", "499.00"),
        ("TR-EURO", "Euro-container trolley 600 x 400 mm", "42.00", "85.00"),
        ("TR-TABLE", "Table trolley 850 x 500 mm, 2 shelves", "88.00", "179.00"),
        ("TR-MESH", "Mesh cage trolley 1200 x 800 x 1800 mm", "236.00", "475.00"),
    ]
    return made(TROLLEYS, 30000).products(rows)


def cabinets() -> list[ProductSpec]:
    rows = [
        ("CB-LOCK-1", "Locker with 1 door, 300 mm wide", "78.00", "159.00"),
        ("CB-LOCK-2", "Locker with 2 doors, 600 mm wide", "138.00", "279.00"),
        ("CB-LOCK-3", "Locker with 3 doors, 900 mm wide", "192.00", "389.00"),
        ("CB-LOCK-4C", "Locker with 4 compartments", "148.00", "299.00"),
        ("CB-TOOL-1950", "Tool cabinet with doors 1000 x 500 x 1950 mm", "245.00", "489.00"),
        ("CB-TOOL-1000", "Tool cabinet with doors 1000 x 500 x 1000 mm", "168.00", "335.00"),
        ("CB-DRAW-5", "Drawer cabinet with 5 drawers", "312.00", "629.00"),
        ("CB-DRAW-7", "Drawer cabinet with 7 drawers", "389.00", "779.00"),
        ("CB-DRAW-10", "Drawer cabinet with 10 drawers", "476.00", "949.00"),
        ("CB-FLAM", "Cabinet for flammable liquids, 2 doors", "298.00", "599.00"),
        ("CB-FILE-4", "Filing cabinet with 4 drawers", "172.00", "345.00"),
        ("CB-SLIDE", "Sliding door cabinet 1200 x 450 x 1000 mm", "186.00", "375.00"),
        ("CB-WALL", "Wall cabinet 800 x 300 x 600 mm", "72.00", "145.00"),
    ]
    return made(CABINETS, 40000).products(rows)


def services() -> list[ProductSpec]:
    hourly = [
        ("SV-INSTALL", "Installation on site", "38.00", "65.00"),
        ("SV-ASSEMBLY", "Assembly in the workshop", "34.00", "55.00"),
        ("SV-LAYOUT", "Layout and design study", "45.00", "85.00"),
        ("SV-TRAVEL", "Travel time", "30.00", "55.00"),
    ]
    daily = [
        ("SV-INSPECT", "Racking inspection (EN 15635)", "320.00", "640.00"),
        ("SV-MAINT", "Preventive maintenance visit", "300.00", "590.00"),
    ]
    return service("Hour").products(hourly) + service("Day").products(daily)


def service(uom: str) -> Family:
    return Family(SERVICES, uom, product_type=ProductType.SERVICE, can_be_sold=True, can_be_purchased=False)
