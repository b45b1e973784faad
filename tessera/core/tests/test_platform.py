"""Platform: health endpoint, production settings, roles, the OpenAPI document."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

ROOT = Path(__file__).resolve().parents[3]


def test_health_reports_each_service(db, client, settings):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["cache"] == {"status": "ok", "backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}
    expected_broker = "ok" if settings.REDIS_URL else "not configured"
    assert body["broker"]["status"] == expected_broker


def test_health_says_when_the_broker_is_down(db, client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    from tessera.celery import app

    app.conf.broker_url = settings.REDIS_URL
    try:
        response = client.get("/health/")
    finally:
        app.conf.broker_url = settings.CELERY_BROKER_URL
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["broker"]["status"] == "error"


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_the_deployment_check():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="tessera.settings.production",
        SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-with-entropy-9f8e7d",
        ALLOWED_HOSTS="erp.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DJANGO_SETTINGS_MODULE="tessera.settings.production")
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_createsuperuser_runs_without_questions(db):
    from django.core.management import call_command

    from tessera.core.models import User

    os.environ["DJANGO_SUPERUSER_PASSWORD"] = "a-Strong-pass-42"
    try:
        call_command("createsuperuser", "--noinput", "--username", "boss", "--email", "boss@example.com", verbosity=0)
    finally:
        del os.environ["DJANGO_SUPERUSER_PASSWORD"]
    boss = User.objects.get(username="boss")
    assert boss.is_superuser and boss.check_password("a-Strong-pass-42")


def test_roles_exist_per_module_and_level(db):
    names = set(Group.objects.values_list("name", flat=True))
    for module in ("Accounting", "Sales", "Purchasing", "Inventory", "Manufacturing", "HR"):
        assert {f"{module} / User", f"{module} / Manager"} <= names
    assert {"Employee", "Settings / Manager", "Auditor"} <= names


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        ("Sales / User", ["core.add_partner", "core.view_product"], ["core.delete_partner", "core.change_product"]),
        ("Inventory / Manager", ["core.add_product", "core.change_productcategory"], ["core.add_partner"]),
        ("Auditor", ["core.view_auditentry", "core.view_partner"], ["core.change_partner", "core.add_product"]),
        ("Employee", [], ["core.view_partner"]),
    ],
)
def test_role_permissions(db, role, allowed, refused):
    from .factories import UserFactory

    user = UserFactory(roles=[role])
    assert [perm for perm in allowed if not user.has_perm(perm)] == []
    assert [perm for perm in refused if user.has_perm(perm)] == []


def test_openapi_schema_and_docs_are_served(client, manager):
    client.force_login(manager)
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/core/partners/" in paths and "/api/v1/auth/token/" in paths
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content and b"cdn.jsdelivr" not in docs.content


def test_the_permission_matrix_document_is_current(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("permission_matrix", stdout=out)
    assert (ROOT / "docs" / "permissions.md").read_text() == out.getvalue(), (
        "run: python manage.py permission_matrix > docs/permissions.md"
    )


def test_the_idempotency_purge_task_runs_in_process(db):
    from tessera.core.tasks import purge_idempotency_keys

    assert purge_idempotency_keys.delay().get() == 0
