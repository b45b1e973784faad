"""Project-level pages: home, health, the company switcher, and error pages."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.urls import is_valid_path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_GET, require_POST

from .errors import BusinessError
from .models import Company
from .rest.problems import problem_json_response
from .services import user_switch_company


def home(request: HttpRequest) -> HttpResponse:
    return redirect("admin:index")


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Database, cache and broker status; 503 when one of them is down."""
    checks = {"database": _check_database(), "cache": _check_cache(), "broker": _check_broker()}
    healthy = all(check["status"] in ("ok", "not configured") for check in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        return {"status": "error", "error": str(exc)[:200]}
    return {"status": "ok", "vendor": connection.vendor}


def _check_cache() -> dict:
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    try:
        cache.set("tessera:health", "1", 5)
        if cache.get("tessera:health") != "1":
            return {"status": "error", "backend": backend, "error": "value not read back"}
    except Exception as exc:  # noqa: BLE001
        return {"status": "error", "backend": backend, "error": str(exc)[:200]}
    return {"status": "ok", "backend": backend}


def _check_broker() -> dict:
    if not settings.REDIS_URL:
        return {"status": "not configured", "mode": "tasks run in-process"}
    from tessera.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001
        return {"status": "error", "error": str(exc)[:200]}
    return {"status": "ok", "mode": "celery workers"}


@require_POST
@login_required
def switch_company(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("company", "")
    company = Company.objects.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 19 else None
    if company is None:
        messages.error(request, _("Choose one of your companies."))
    else:
        try:
            user_switch_company(request.user, company, by=request.user)
        except BusinessError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("You now work in %(company)s.") % {"company": company})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "/admin/"
    return HttpResponseRedirect(target)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return problem_json_response(request, 400, "bad_request", _("The request is malformed."))
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return problem_json_response(request, 403, "permission_denied", _("You do not have permission to perform this action."))
    return defaults.permission_denied(request, exception)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        detail = _("No such resource.")
        if not request.path.endswith("/") and is_valid_path(f"{request.path_info}/", getattr(request, "urlconf", None)):
            detail = _("No such resource. API addresses end with a slash: %(path)s/") % {"path": request.path}
        return problem_json_response(request, 404, "not_found", detail)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return problem_json_response(request, 500, "server_error", _("Something went wrong on our side. It has been logged."))
    return defaults.server_error(request)
