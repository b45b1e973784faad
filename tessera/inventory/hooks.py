"""The procurement registry: routes that fill inventory's needs, registered by the modules that own them.

Inventory knows what is needed (a reordering rule below its minimum, a make-to-order move); the
route a product names decides how it is obtained. Purchasing registers "buy", manufacturing
"manufacture", from their AppConfig.ready(); inventory ships "manual", which leaves the needs listed
for someone to act on. A route's handler receives the open needs of its route, creates its
documents, and marks each need it took on with `procurement_need_assign` (pegging).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise

if TYPE_CHECKING:
    from tessera.core.models import User

    from .models import Move, ProcurementNeed

RouteHandler = Callable[[Sequence["ProcurementNeed"], "User"], None]
MovesDoneListener = Callable[[Sequence["Move"], "User"], None]


@dataclass(frozen=True)
class Route:
    name: str
    label: str | Promise
    handler: RouteHandler


_routes: dict[str, Route] = {}


def register_route(name: str, label: str | Promise, handler: RouteHandler) -> None:
    """Register (or replace) the route `name`; its handler fills needs of products that use it."""
    _routes[name] = Route(name, label, handler)


def route(name: str) -> Route | None:
    return _routes.get(name)


def routes() -> list[Route]:
    return sorted(_routes.values(), key=lambda item: item.name)


_moves_done: list[MovesDoneListener] = []


def register_moves_done(listener: MovesDoneListener) -> None:
    """`listener(moves, by)` runs in the transaction that validates a transfer, with its done moves,
    so that the documents those moves serve (a sales order line, by the moves' origin_key) follow."""
    if listener not in _moves_done:
        _moves_done.append(listener)


def run_moves_done(moves: Sequence["Move"], by: "User") -> None:
    for listener in _moves_done:
        listener(moves, by)
