"""Payment terms: instalments and due dates. Pure: no ORM."""

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from .money import round_to

PERCENT = "percent"
BALANCE = "balance"


class InstalmentError(ValueError):
    pass


@dataclass(frozen=True)
class Instalment:
    kind: str  # PERCENT or BALANCE
    percent: Decimal = Decimal(0)
    days: int = 0
    end_of_month: bool = False

    def __str__(self) -> str:
        share = _("balance") if self.kind == BALANCE else f"{self.percent.normalize():f}%"
        text = _("%(share)s after %(days)s days") % {"share": share, "days": self.days}
        return f"{text}, {_('end of month')}" if self.end_of_month else text

    def due_date(self, invoice_date: datetime.date) -> datetime.date:
        due = invoice_date + datetime.timedelta(days=self.days)
        if self.end_of_month:
            due = due.replace(day=calendar.monthrange(due.year, due.month)[1])
        return due


def check_instalments(instalments: list[Instalment] | tuple[Instalment, ...]) -> None:
    """Percentages between 0 and 100 that leave something for the one final balance instalment."""
    if not instalments or instalments[-1].kind != BALANCE:
        raise InstalmentError(_("The last instalment must be the balance."))
    if any(i.kind == BALANCE for i in instalments[:-1]):
        raise InstalmentError(_("Only the last instalment can be the balance."))
    percents = [i.percent for i in instalments if i.kind == PERCENT]
    if any(p <= 0 or p > 100 for p in percents):
        raise InstalmentError(_("Each percentage must be more than 0 and at most 100."))
    if sum(percents, Decimal(0)) >= 100:
        raise InstalmentError(_("The percentages add up to 100 or more: nothing is left for the balance."))
    if any(i.days < 0 for i in instalments):
        raise InstalmentError(_("Days cannot be negative."))


def due_schedule(
    total: Decimal, invoice_date: datetime.date, instalments: list[Instalment] | tuple[Instalment, ...], decimals: int
) -> list[tuple[datetime.date, Decimal]]:
    """Split `total` into (due date, amount) pairs; rounding differences go to the balance."""
    schedule = []
    remaining = total
    for instalment in instalments:
        if instalment.kind == BALANCE:
            amount = remaining
        else:
            amount = round_to(total * instalment.percent / 100, decimals)
            remaining -= amount
        schedule.append((instalment.due_date(invoice_date), amount))
    return schedule
