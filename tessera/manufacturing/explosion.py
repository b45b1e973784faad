"""Bill of materials explosion and cost roll-up, in plain Python over data loaded in bulk.

Quantities are in each product's own unit. To make Q of a product whose BOM makes B: each component
takes its quantity × Q / B, plus its scrap percentage on top; a component with a kit BOM is replaced
by the kit's components; one with a BOM of its own is a sub-assembly, exploded a level down and costed
by the same rules; any other component is bought and costs its unit cost. An operation takes its setup
once and its run time per unit, divided by the work centre's efficiency, at the centre's cost per hour.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal(0)
HUNDRED = Decimal(100)
SIXTY = Decimal(60)
KIT = "kit"


class BomCycle(ValueError):
    """Bills of materials that make a product contain itself; `products` is the chain."""

    def __init__(self, products: list[int]):
        super().__init__(products)
        self.products = products


@dataclass(frozen=True)
class Component:
    product_id: int
    quantity: Decimal  # for the BOM's quantity, in the component's unit
    scrap_percent: Decimal = ZERO


@dataclass(frozen=True)
class Operation:
    name: str
    work_centre_id: int
    setup_minutes: Decimal
    run_minutes: Decimal  # per unit of the product made
    efficiency: Decimal  # percent
    cost_per_hour: Decimal


@dataclass(frozen=True)
class BomData:
    bom_id: int
    product_id: int
    quantity: Decimal  # what the BOM makes, in the product's unit
    kind: str
    components: tuple[Component, ...]
    operations: tuple[Operation, ...] = ()


@dataclass
class Row:
    """A line of the structure: a component (bought, a kit's part or a sub-assembly) or an operation."""

    level: int
    product_id: int | None
    quantity: Decimal  # components: in the product's unit; operations: minutes
    cost: Decimal
    kind: str  # "bought", "made", "kit" or "operation"
    name: str = ""
    work_centre_id: int | None = None


@dataclass
class Structure:
    product_id: int
    quantity: Decimal
    rows: list[Row] = field(default_factory=list)
    material_cost: Decimal = ZERO
    operation_cost: Decimal = ZERO

    @property
    def cost(self) -> Decimal:
        return self.material_cost + self.operation_cost

    @property
    def unit_cost(self) -> Decimal:
        return self.cost / self.quantity if self.quantity else ZERO


def find_cycle(boms: Mapping[int, BomData]) -> list[int] | None:
    """A chain of products that ends where it began, each a component of the one before, or None."""
    visiting: set[int] = set()
    done: set[int] = set()

    def visit(product_id: int, path: list[int]) -> list[int] | None:
        if product_id in visiting:
            return [*path[path.index(product_id) :], product_id]
        if product_id in done or product_id not in boms:
            return None
        visiting.add(product_id)
        for component in boms[product_id].components:
            found = visit(component.product_id, [*path, product_id])
            if found:
                return found
        visiting.discard(product_id)
        done.add(product_id)
        return None

    for product_id in boms:
        found = visit(product_id, [])
        if found:
            return found
    return None


def explode(product_id: int, quantity: Decimal, boms: Mapping[int, BomData], unit_costs: Mapping[int, Decimal]) -> Structure:
    """The structure of making `quantity` of the product with its BOM (`boms` by product), rows in
    depth-first order, with the cost rolled up through the levels."""
    structure = Structure(product_id, quantity)
    structure.material_cost, structure.operation_cost = _explode(
        boms[product_id], quantity, 1, boms, unit_costs, structure.rows, (product_id,)
    )
    return structure


def _explode(
    bom: BomData,
    quantity: Decimal,
    level: int,
    boms: Mapping[int, BomData],
    unit_costs: Mapping[int, Decimal],
    rows: list[Row],
    path: tuple[int, ...],
) -> tuple[Decimal, Decimal]:
    factor = quantity / bom.quantity
    material = ZERO
    for component in bom.components:
        needed = component.quantity * factor * (1 + component.scrap_percent / HUNDRED)
        material += _component(component.product_id, needed, level, boms, unit_costs, rows, path)
    operations = ZERO
    for operation in bom.operations:
        minutes = (operation.setup_minutes + operation.run_minutes * quantity) * HUNDRED / operation.efficiency
        cost = minutes / SIXTY * operation.cost_per_hour
        rows.append(Row(level, None, minutes, cost, "operation", operation.name, operation.work_centre_id))
        operations += cost
    return material, operations


def _component(
    product_id: int,
    needed: Decimal,
    level: int,
    boms: Mapping[int, BomData],
    unit_costs: Mapping[int, Decimal],
    rows: list[Row],
    path: tuple[int, ...],
) -> Decimal:
    if product_id in path:
        raise BomCycle([*path[path.index(product_id) :], product_id])
    sub = boms.get(product_id)
    if sub is None:
        cost = needed * unit_costs.get(product_id, ZERO)
        rows.append(Row(level, product_id, needed, cost, "bought"))
        return cost
    row = Row(level, product_id, needed, ZERO, KIT if sub.kind == KIT else "made")
    rows.append(row)
    material, operations = _explode(sub, needed, level + 1, boms, unit_costs, rows, (*path, product_id))
    row.cost = material + operations
    return row.cost


def flat_components(structure: Structure) -> Sequence[Row]:
    """What is bought to make it: the bought rows, kits and sub-assemblies opened up."""
    return [row for row in structure.rows if row.kind == "bought"]
