from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
