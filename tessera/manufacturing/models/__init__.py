from .boms import Bom, BomByProduct, BomKind, BomLine
from .routings import Routing, RoutingOperation
from .work_centres import WorkCentre

__all__ = ["Bom", "BomByProduct", "BomKind", "BomLine", "Routing", "RoutingOperation", "WorkCentre"]
