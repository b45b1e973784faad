from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.middleware.common import CommonMiddleware

from .audit import audit_source
from .models import AuditSource


class AuditContextMiddleware:
    """Marks what a request changes as done through the API or the back office in the audit trail."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        source = AuditSource.API if request.path.startswith("/api/") else AuditSource.UI
        with audit_source(source):
            return self.get_response(request)


class TesseraCommonMiddleware(CommonMiddleware):
    """Django's CommonMiddleware, without the redirect to the slashed URL under /api/: a redirect
    loses a POST's body, so an API client gets a 404 that names the right address instead."""

    def should_redirect_with_slash(self, request: HttpRequest) -> bool:
        return not request.path_info.startswith("/api/") and super().should_redirect_with_slash(request)
