"""Idempotency-Key on POST: a retried request gets the first response and creates nothing new."""

import datetime
import hashlib
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.request import Request

from ..models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEPT_HEADERS = ("Content-Type", "Location")


class KeyReusedForAnotherRequest(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = gettext_lazy("This Idempotency-Key was already used for a different request.")
    default_code = "idempotency_key_reused"


class KeyInProgress(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("A request with this Idempotency-Key is still being processed. Retry later.")
    default_code = "idempotency_key_in_progress"


class _Replay(Exception):
    def __init__(self, record: IdempotencyKey):
        self.record = record


def key_expiry() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)


class IdempotencyMixin:
    """For DRF views: claims the key before the view runs, stores the response after it."""

    _idempotency: IdempotencyKey | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None or not request.user.is_authenticated:
            return
        if not 1 <= len(key) <= 255 or not (key.isascii() and key.isprintable()):
            # printable ASCII only: PostgreSQL cannot store a NUL, and HTTP header values have no control characters
            raise exceptions.ValidationError({HEADER: [_("Use a key of 1 to 255 printable ASCII characters, such as a UUID.")]})
        fingerprint = hashlib.sha256(
            b"\n".join([request.method.encode(), request.get_full_path().encode(), request.body])
        ).hexdigest()
        self._idempotency = self._claim(request.user, key, fingerprint)

    def _claim(self, user: Any, key: str, fingerprint: str) -> IdempotencyKey:
        IdempotencyKey.objects.filter(user=user, key=key, created_at__lt=key_expiry()).delete()
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(user=user, key=key, fingerprint=fingerprint)
        except IntegrityError:
            pass
        existing = IdempotencyKey.objects.filter(user=user, key=key).first()
        if existing is None:  # the request that claimed it failed and released it just now
            raise KeyInProgress()
        if existing.fingerprint != fingerprint:
            raise KeyReusedForAnotherRequest()
        if not existing.completed:
            raise KeyInProgress()
        raise _Replay(existing)

    def handle_exception(self, exc: Exception) -> Any:
        if isinstance(exc, _Replay):
            return self._replay(exc.record)
        try:
            return super().handle_exception(exc)
        except Exception:
            self._release()
            raise

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        record, self._idempotency = self._idempotency, None
        if record is None:
            return response
        if response.status_code >= 500:
            record.delete()
            return response
        response.render()
        record.completed = True
        record.response_status = response.status_code
        record.response_body = response.content
        record.response_headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
        record.save(update_fields=["completed", "response_status", "response_body", "response_headers"])
        return response

    def _release(self) -> None:
        record, self._idempotency = self._idempotency, None
        if record is not None:
            record.delete()

    @staticmethod
    def _replay(record: IdempotencyKey) -> HttpResponse:
        response = HttpResponse(bytes(record.response_body or b""), status=record.response_status)
        for name, value in record.response_headers.items():
            response[name] = value
        response[REPLAYED_HEADER] = "true"
        return response


def purge_expired_keys() -> int:
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=key_expiry()).delete()
    return deleted
