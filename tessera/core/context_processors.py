from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .scoping import request_company


def companies(request: HttpRequest) -> dict:
    """The current company and the ones the user may switch to, for the header's company switcher."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_company": SimpleLazyObject(lambda: request_company(request)),
        "allowed_companies": SimpleLazyObject(lambda: list(user.allowed_companies().order_by("name"))),
    }
