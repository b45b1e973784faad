"""The route inventory ships: needs stay listed until someone orders the goods by hand."""

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from tessera.core.models import User

from . import hooks
from .models import ProcurementNeed

MANUAL = "manual"


def _leave_listed(needs: Sequence[ProcurementNeed], by: User) -> None:
    """Manual needs are filled by someone who orders the goods and marks the need done."""


def register_manual_route() -> None:
    hooks.register_route(MANUAL, _("Manual (listed for someone to order)"), _leave_listed)
