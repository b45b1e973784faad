"""Validation and normalisation of VAT numbers, IBANs, BICs and barcodes.

Each function returns the compact form or raises ValueError with a message for the user.
"""

from django.utils.translation import gettext as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum import ean
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.util import get_cc_module

# Greece writes EL in its VAT numbers, not its ISO code GR.
_VAT_PREFIX = {"GR": "EL"}
VAT_MAX_LENGTH = 32


def vat_prefix(country: str) -> str:
    return _VAT_PREFIX.get(country, country)


def normalize_vat(value: str, country: str) -> str:
    """Validate a VAT number for a country (ISO 3166 code) and return it compact, prefixed."""
    country = country.upper()
    prefix = vat_prefix(country)
    compact = "".join(ch for ch in value.upper() if ch.isalnum())
    if not compact:
        raise ValueError(_("Enter a VAT number."))
    if not compact.startswith(prefix):
        if compact[:2].isalpha() and compact[:2] != prefix:
            raise ValueError(
                _("This VAT number belongs to country %(other)s, not %(country)s.") % {"other": compact[:2], "country": country}
            )
        compact = prefix + compact
    module = eu_vat if prefix.lower() in eu_vat.MEMBER_STATES else get_cc_module(country.lower(), "vat")
    if module is None:
        return _bounded(compact)
    try:
        number = module.validate(compact if module is eu_vat else value)
    except StdnumError:
        raise ValueError(
            _("%(value)s is not a valid VAT number for %(country)s.") % {"value": value.strip(), "country": country}
        ) from None
    number = "".join(ch for ch in number.upper() if ch.isalnum())
    return _bounded(number if number.startswith(prefix) else prefix + number)


def _bounded(vat: str) -> str:
    if len(vat) > VAT_MAX_LENGTH:
        raise ValueError(_("A VAT number has at most %(count)d characters.") % {"count": VAT_MAX_LENGTH})
    return vat


def normalize_iban(value: str) -> str:
    try:
        return IBAN(value, validate_bban=True).compact
    except SchwiftyException:
        raise ValueError(_("%(value)s is not a valid IBAN.") % {"value": value.strip()}) from None


def normalize_bic(value: str) -> str:
    try:
        return BIC(value).compact
    except SchwiftyException:
        raise ValueError(_("%(value)s is not a valid BIC.") % {"value": value.strip()}) from None


def normalize_barcode(value: str) -> str:
    """Numeric barcodes of GTIN length must carry a valid check digit; other codes pass as typed."""
    compact = value.strip()
    if compact.isdigit() and len(compact) in (8, 12, 13, 14):
        try:
            return ean.validate(compact)
        except StdnumError:
            raise ValueError(_("%(value)s has a wrong check digit for an EAN/GTIN barcode.") % {"value": compact}) from None
    return compact
