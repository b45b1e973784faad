"""Document number patterns, such as INV/{year}/{number}. Pure functions."""

import datetime
import string

from django.utils.translation import gettext as _

ALLOWED_FIELDS = frozenset({"number", "year", "yy", "month"})


class PatternError(ValueError):
    pass


def check_pattern(pattern: str) -> None:
    """Only the plain fields {number}, {year}, {yy}, {month}; {number} exactly once."""
    try:
        fields = [field for _text, field, _spec, _conv in string.Formatter().parse(pattern) if field is not None]
    except ValueError:
        raise PatternError(_("Unbalanced braces in the pattern.")) from None
    unknown = sorted(set(fields) - ALLOWED_FIELDS)
    if unknown:
        raise PatternError(_("Unknown field {%(field)s}: use {number}, {year}, {yy} or {month}.") % {"field": unknown[0]})
    if fields.count("number") != 1:
        raise PatternError(_("The pattern must contain {number} exactly once."))
    for _text, field, spec, conversion in string.Formatter().parse(pattern):
        if field is not None and (spec or conversion):
            raise PatternError(_("Write fields without a format, as {number}; set the digits separately."))


def format_number(pattern: str, number: int, padding: int, day: datetime.date) -> str:
    return pattern.format(
        number=str(number).zfill(padding), year=f"{day.year:04d}", yy=f"{day.year % 100:02d}", month=f"{day.month:02d}"
    )
