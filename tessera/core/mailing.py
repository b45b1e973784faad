"""E-mailing documents: who a document goes to."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from .errors import InvalidInput
from .models import Partner


def email_recipient(partner: Partner, to: str | None, *, missing: str) -> str:
    """The address typed (`to`), else the partner's; `missing` is the message when neither is there.
    Errors are reported on the field `to`."""
    address = (to or "").strip() or partner.email
    if not address:
        raise InvalidInput(missing, code="no_email", field="to")
    try:
        validate_email(address)
    except ValidationError:
        raise InvalidInput(_("%(address)s is not a valid e-mail address.") % {"address": address}, code="invalid_email",
                           field="to") from None  # fmt: skip
    return address
