"""Moments a user gives for something that already happened: goods moved, an order confirmed."""

import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .errors import InvalidInput


def past_moment(when: datetime.datetime | None, *, future: str, field: str, naive: str | None = None) -> datetime.datetime:
    """Now when `when` is None, else `when`, which must carry its time zone and not be in the future.
    `future` is the message for a moment in the future (it may name it as %(when)s), `naive` the one
    for a moment without its time zone."""
    now = timezone.now()
    if when is None:
        return now
    if timezone.is_naive(when):
        raise InvalidInput(naive or _("Give the moment with its time zone."), code="naive_date", field=field)
    if when > now:
        raise InvalidInput(future % {"when": formats.localize(timezone.localtime(when))}, code="future_date", field=field)
    return when
