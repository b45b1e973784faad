"""What the demo company buys: steel and aluminium, fasteners, paints and coatings, and components."""

from ..models import ProductType
from .catalogue import Family, ProductSpec

STEEL = "Raw materials / Steel"
ALUMINIUM = "Raw materials / Aluminium"
FASTENERS = "Fasteners"
PAINTS = "Paints & coatings"
CASTORS = "Components / Castors"
HARDWARE = "Components / Hardware"
WORKTOPS = "Components / Worktops"


def materials() -> list[ProductSpec]:
    return steel() + aluminium() + fasteners() + paints() + components()


def steel() -> list[ProductSpec]:
    sheets = [
        *(
            (f"ST-DC01-{t}", f"Cold-rolled steel sheet DC01 {t} mm", "1.05", "0")
            for t in ("0.8", "1.0", "1.2", "1.5", "2.0", "3.0")
        ),
        *((f"ST-DX51-{t}", f"Galvanised steel sheet DX51D Z275 {t} mm", "1.20", "0") for t in ("0.8", "1.0", "1.5", "2.0")),
        *((f"ST-S235-PL{t:02d}", f"Hot-rolled steel plate S235JR {t} mm", "0.95", "0") for t in (4, 5, 6, 8)),
    ]
    lengths = [
        ("ST-SQ-20x20x1.5", "Square steel tube 20 x 20 x 1.5 mm", "1.20", "0"),
        ("ST-SQ-25x25x1.5", "Square steel tube 25 x 25 x 1.5 mm", "1.50", "0"),
        ("ST-SQ-30x30x2", "Square steel tube 30 x 30 x 2 mm", "2.40", "0"),
        ("ST-SQ-40x40x2", "Square steel tube 40 x 40 x 2 mm", "3.25", "0"),
        ("ST-SQ-50x50x2", "Square steel tube 50 x 50 x 2 mm", "4.10", "0"),
        ("ST-SQ-60x60x3", "Square steel tube 60 x 60 x 3 mm", "7.10", "0"),
        ("ST-RE-40x20x2", "Rectangular steel tube 40 x 20 x 2 mm", "2.40", "0"),
        ("ST-RE-50x30x2", "Rectangular steel tube 50 x 30 x 2 mm", "3.25", "0"),
        ("ST-RE-60x40x2", "Rectangular steel tube 60 x 40 x 2 mm", "4.10", "0"),
        ("ST-RE-80x40x3", "Rectangular steel tube 80 x 40 x 3 mm", "7.10", "0"),
        ("ST-RD-25x1.5", "Round steel tube Ø 25 x 1.5 mm", "1.25", "0"),
        ("ST-RD-32x2", "Round steel tube Ø 32 x 2 mm", "2.10", "0"),
        ("ST-RD-42.4x2", "Round steel tube Ø 42.4 x 2 mm", "2.80", "0"),
        ("ST-FL-20x3", "Steel flat bar 20 x 3 mm", "0.60", "0"),
        ("ST-FL-30x5", "Steel flat bar 30 x 5 mm", "1.45", "0"),
        ("ST-FL-40x5", "Steel flat bar 40 x 5 mm", "1.90", "0"),
        ("ST-FL-50x8", "Steel flat bar 50 x 8 mm", "3.80", "0"),
        ("ST-L-30x30x3", "Steel angle 30 x 30 x 3 mm", "1.70", "0"),
        ("ST-L-40x40x4", "Steel angle 40 x 40 x 4 mm", "2.95", "0"),
        ("ST-L-50x50x5", "Steel angle 50 x 50 x 5 mm", "4.55", "0"),
        ("ST-RB-10", "Steel round bar Ø 10 mm", "0.80", "0"),
        ("ST-RB-16", "Steel round bar Ø 16 mm", "1.95", "0"),
    ]
    return Family(STEEL, "kg", purchase_uom="t").products(sheets) + Family(STEEL, "m").products(lengths)


def aluminium() -> list[ProductSpec]:
    sheets = [
        *((f"AL-5754-{t}", f"Aluminium sheet EN AW-5754 H111 {t} mm", "4.20", "0") for t in ("1.5", "2.0", "3.0")),
        ("AL-TREAD-3.5", "Aluminium tread plate 3.5/5 mm", "4.60", "0"),
    ]
    lengths = [
        ("AL-SQ-25x25x2", "Aluminium square tube 6060 T66 25 x 25 x 2 mm", "2.10", "0"),
        ("AL-SQ-40x40x2", "Aluminium square tube 6060 T66 40 x 40 x 2 mm", "3.40", "0"),
        ("AL-PR-40x40-S8", "Aluminium profile 40 x 40 mm, slot 8", "6.90", "0"),
        ("AL-FL-30x5", "Aluminium flat bar 30 x 5 mm", "1.60", "0"),
    ]
    return Family(ALUMINIUM, "kg").products(sheets) + Family(ALUMINIUM, "m").products(lengths)


def fasteners() -> list[ProductSpec]:
    bolts = (
        ("M6x16", "0.030"),
        ("M6x20", "0.034"),
        ("M8x16", "0.052"),
        ("M8x20", "0.058"),
        ("M8x30", "0.072"),
        ("M10x25", "0.105"),
        ("M10x40", "0.135"),
        ("M12x30", "0.180"),
        ("M12x50", "0.240"),
    )
    nuts = (("M6", "0.012"), ("M8", "0.020"), ("M10", "0.035"), ("M12", "0.052"))
    flange_nuts = (("M6", "0.030"), ("M8", "0.045"))
    washers = (("M6", "0.006"), ("M8", "0.009"), ("M10", "0.014"), ("M12", "0.020"))
    rows = [
        *((f"FX-B-{size}", f"Hex bolt DIN 933 8.8 zinc-plated {size}", cost, "0") for size, cost in bolts),
        *((f"FX-N-{size}", f"Hex nut DIN 934 8 zinc-plated {size}", cost, "0") for size, cost in nuts),
        *((f"FX-FN-{size}", f"Flange nut DIN 6923 serrated {size}", cost, "0") for size, cost in flange_nuts),
        *((f"FX-W-{size}", f"Washer DIN 125 A zinc-plated {size}", cost, "0") for size, cost in washers),
        ("FX-ST-3.9x13", "Self-tapping screw DIN 7981 pan head 3.9 x 13", "0.012", "0"),
        ("FX-ST-4.2x16", "Self-tapping screw DIN 7981 pan head 4.2 x 16", "0.015", "0"),
        ("FX-ST-4.8x19", "Self-tapping screw DIN 7981 pan head 4.8 x 19", "0.021", "0"),
        ("FX-CS-M6x16", "Countersunk screw DIN 7991 10.9 M6x16", "0.060", "0"),
        ("FX-CS-M8x20", "Countersunk screw DIN 7991 10.9 M8x20", "0.095", "0"),
        ("FX-BR-4.0x10", "Blind rivet aluminium/steel 4.0 x 10 mm", "0.018", "0"),
        ("FX-BR-4.8x12", "Blind rivet aluminium/steel 4.8 x 12 mm", "0.026", "0"),
        ("FX-RN-M6", "Rivet nut steel M6", "0.085", "0"),
        ("FX-RN-M8", "Rivet nut steel M8", "0.120", "0"),
        ("FX-CN-M6", "Cage nut M6", "0.090", "0"),
        ("FX-WS-5x40", "Chipboard screw 5.0 x 40 mm for worktops", "0.025", "0"),
    ]
    return Family(FASTENERS, "Unit", purchase_uom="Box of 100", product_type=ProductType.CONSUMABLE).products(rows)


def paints() -> list[ProductSpec]:
    colours = (
        ("7035", "light grey", "6.80"),
        ("5010", "gentian blue", "7.40"),
        ("9005", "jet black", "6.90"),
        ("7016", "anthracite grey", "7.10"),
        ("3000", "flame red", "7.90"),
        ("1023", "traffic yellow", "8.60"),
        ("6011", "reseda green", "7.60"),
        ("9010", "pure white", "6.90"),
    )
    powders = [
        (f"PC-{ral}", f"Polyester powder coating RAL {ral} {colour}, fine texture", cost, "0") for ral, colour, cost in colours
    ]
    liquids = [
        ("PT-PRIMER-EP", "Epoxy zinc primer, grey", "14.50", "0"),
        ("PT-TOUCH-7035", "Touch-up paint RAL 7035 light grey", "22.00", "0"),
        ("PT-TOUCH-5010", "Touch-up paint RAL 5010 gentian blue", "22.00", "0"),
        ("PT-TOUCH-9005", "Touch-up paint RAL 9005 jet black", "22.00", "0"),
        ("PT-THINNER", "Cellulose thinner", "4.20", "0"),
        ("PT-DEGREASER", "Alkaline degreaser for pre-treatment", "3.10", "0"),
    ]
    # Powder coating is bought and used by weight, liquid paint by volume.
    powder = Family(PAINTS, "kg", product_type=ProductType.CONSUMABLE)
    paint = Family(PAINTS, "L", product_type=ProductType.CONSUMABLE)
    return powder.products(powders) + paint.products(liquids)


def components() -> list[ProductSpec]:
    return castors() + hardware() + worktops()


def castors() -> list[ProductSpec]:
    swivel = (
        ("075", "3.20", "6.50"),
        ("100", "4.10", "8.50"),
        ("125", "5.30", "10.90"),
        ("160", "7.80", "15.90"),
        ("200", "10.40", "21.50"),
    )
    braked = (("100", "5.60", "11.50"), ("125", "6.90", "14.20"), ("160", "9.80", "19.90"), ("200", "12.90", "26.50"))
    fixed = (("100", "3.40", "6.90"), ("125", "4.30", "8.90"), ("160", "6.20", "12.70"), ("200", "8.40", "17.20"))
    rows = [
        *((f"CA-SW-{d}", f"Swivel castor Ø {int(d)} mm, rubber wheel", cost, price) for d, cost, price in swivel),
        *((f"CA-SB-{d}", f"Swivel castor with brake Ø {int(d)} mm, rubber wheel", cost, price) for d, cost, price in braked),
        *((f"CA-FX-{d}", f"Fixed castor Ø {int(d)} mm, rubber wheel", cost, price) for d, cost, price in fixed),
        ("CA-PU-160", "Heavy-duty swivel castor with brake Ø 160 mm, polyurethane wheel", "18.50", "37.90"),
        ("CA-PU-200", "Heavy-duty swivel castor with brake Ø 200 mm, polyurethane wheel", "24.20", "49.50"),
        ("CA-ESD-100", "ESD swivel castor with brake Ø 100 mm", "8.90", "18.30"),
    ]
    # Castors are also sold on their own, as spare parts for trolleys.
    return Family(CASTORS, "Unit", can_be_sold=True).products(rows)


def hardware() -> list[ProductSpec]:
    slide_costs = (("300", "6.80"), ("400", "8.10"), ("500", "9.60"), ("600", "11.20"))
    slides = [(f"HW-DS-{length}", f"Full-extension drawer slides {length} mm", cost, "0") for length, cost in slide_costs]
    units = [
        ("HW-HINGE-WELD-80", "Weld-on hinge 80 mm", "0.95", "0"),
        ("HW-HINGE-PIANO-1000", "Piano hinge 1000 mm, steel", "6.40", "0"),
        ("HW-HINGE-CAB", "Cabinet door hinge, 180°", "1.85", "0"),
        ("HW-LOCK-CYL", "Cylinder cam lock, keyed alike", "3.20", "0"),
        ("HW-LOCK-ROD", "Three-point locking rod set", "7.90", "0"),
        ("HW-HASP", "Padlock hasp", "1.40", "0"),
        ("HW-HANDLE-120", "Bow handle 120 mm, black", "1.10", "0"),
        ("HW-HANDLE-160", "Bow handle 160 mm, black", "1.35", "0"),
        ("HW-HANDLE-REC", "Recessed drawer handle", "1.90", "0"),
        ("HW-FOOT-M10", "Levelling foot M10, Ø 40 mm", "0.95", "0"),
        ("HW-FOOT-M12", "Levelling foot M12, Ø 60 mm", "1.45", "0"),
    ]
    small_parts = [
        ("HW-CLIP-SHELF", "Shelf support clip", "0.08", "0"),
        ("HW-LABEL-100", "Magnetic label holder 100 mm", "0.45", "0"),
        ("HW-CAP-25", "Plastic end cap 25 x 25 mm", "0.04", "0"),
        ("HW-CAP-30", "Plastic end cap 30 x 30 mm", "0.05", "0"),
        ("HW-CAP-40", "Plastic end cap 40 x 40 mm", "0.07", "0"),
    ]
    return (
        Family(HARDWARE, "Pair").products(slides)
        + Family(HARDWARE, "Unit").products(units)
        + Family(HARDWARE, "Unit", purchase_uom="Box of 100").products(small_parts)
    )


def worktops() -> list[ProductSpec]:
    beech = (("1200", "68.00"), ("1500", "82.00"), ("1800", "96.00"), ("2000", "108.00"))
    rows = [
        *((f"WT-BEECH-{width}", f"Beech multiplex worktop {width} x 750 x 40 mm", cost, "0") for width, cost in beech),
        ("WT-STEEL-1500", "Steel-clad worktop 1500 x 750 x 40 mm", "118.00", "0"),
        ("WT-ESD-1500", "ESD laminate worktop 1500 x 750 x 40 mm", "126.00", "0"),
    ]
    return Family(WORKTOPS, "Unit").products(rows)
