"""RFC 9457 problem details: every API error is application/problem+json with per-field messages."""

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, ValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ..errors import BusinessError
from .exceptions import PayloadTooLarge

CONTENT_TYPE = "application/problem+json"
NON_FIELD = "non_field_errors"


def problem_body(
    status_code: int, code: str, detail: str, *, instance: str | None = None, errors: Mapping[str, list[str]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"urn:tessera:problem:{code}",
        "title": HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": detail,
        "code": code,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = {field: [str(message) for message in messages] for field, messages in errors.items()}
    return body


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"field": [...], "lines.0.quantity": [...]}."""
    errors: dict[str, list[str]] = {}
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            key = NON_FIELD if key in ("__all__", NON_FIELD) and not prefix else key
            errors.update(flatten_errors(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(detail, list | tuple):
        if all(not isinstance(item, Mapping | list | tuple) for item in detail):
            if detail:
                errors[prefix or NON_FIELD] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                errors.update(flatten_errors(item, f"{prefix}.{index}" if prefix else str(index)))
    elif detail:
        errors[prefix or NON_FIELD] = [str(detail)]
    return errors


def _summary(errors: Mapping[str, list[str]]) -> str:
    field, messages = next(iter(errors.items()))
    return messages[0] if field == NON_FIELD else f"{field}: {messages[0]}"


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    request = context.get("request")
    instance = request.get_full_path() if request is not None else None
    if isinstance(exc, BusinessError):
        errors = exc.field_errors()
        return _problem(exc.status, exc.code, exc.message, instance, errors)
    if isinstance(exc, ValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD: exc.messages}
        return _problem(400, "invalid", _summary(errors), instance, errors)
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, SuspiciousOperation):
        # Django would answer these with its HTML 400 page; too many query parameters is the usual one.
        detail = str(exc) if isinstance(exc, TooManyFieldsSent) else _("The request is malformed.")
        return _problem(400, "bad_request", detail, instance, {})
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail) or {NON_FIELD: [_("Invalid input.")]}
        return _problem(400, "invalid", _summary(errors), instance, errors)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, Http404):
        code, detail = "not_found", _("No such record, or not in your current company.")
    elif isinstance(exc, exceptions.NotFound):  # raised by DRF itself, such as "Invalid page."
        code, detail = "not_found", str(exc.detail)
    elif isinstance(exc, PermissionDenied):
        code, detail = "permission_denied", _("You do not have permission to perform this action.")
    else:
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = code if isinstance(code, str) else "error"
        detail = str(exc.detail) if isinstance(exc, exceptions.APIException) else str(exc)
    response.data = problem_body(response.status_code, code, detail, instance=instance)
    response.content_type = CONTENT_TYPE
    return response


def _problem(status_code: int, code: str, detail: str, instance: str | None, errors: Mapping[str, list[str]]) -> Response:
    return Response(
        problem_body(status_code, code, detail, instance=instance, errors=errors), status=status_code, content_type=CONTENT_TYPE
    )


def problem_json_response(request: HttpRequest, status_code: int, code: str, detail: str) -> JsonResponse:
    """A problem+json response outside DRF views (unknown URLs, server errors under /api/)."""
    return JsonResponse(
        problem_body(status_code, code, detail, instance=request.get_full_path()), status=status_code, content_type=CONTENT_TYPE
    )
