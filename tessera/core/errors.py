"""Errors a business operation raises. Each has a stable code and a message a user can act on.

The API maps them to problem+json (400 or 409), the back office shows them as messages.
"""

from collections.abc import Mapping


class BusinessError(Exception):
    """A business rule refused the operation; nothing was written."""

    code = "business_error"
    status = 409

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field

    def field_errors(self) -> Mapping[str, list[str]]:
        return {self.field: [self.message]} if self.field else {}


class InvalidInput(BusinessError):
    """The input is wrong in a way the user can correct (status 400)."""

    code = "invalid"
    status = 400

    def __init__(
        self, message: str, *, code: str | None = None, field: str | None = None, errors: Mapping[str, list[str]] | None = None
    ):
        super().__init__(message, code=code, field=field)
        self.errors = dict(errors or {})

    def field_errors(self) -> Mapping[str, list[str]]:
        return {**super().field_errors(), **self.errors}


class NotAllowed(BusinessError):
    """The actor lacks the permission for this operation (status 403)."""

    code = "permission_denied"
    status = 403


class UomConversionError(InvalidInput):
    code = "uom_conversion"


class MissingExchangeRate(BusinessError):
    code = "missing_exchange_rate"
