"""Users through the API: created with roles and companies, passwords checked and never shown."""

import pytest
from rest_framework.test import APIClient

from tessera.core.models import AuditEntry, User

from .factories import UserFactory

USERS = "/api/v1/core/users/"


def new_user(company, **values):
    return {
        "username": "jdewit", "first_name": "Jan", "last_name": "De Wit", "email": "jan@example.com",
        "groups": ["Sales / User"], "companies": [company.pk], "current_company": company.pk,
        "password": "Kantoor-Gent-2026", **values,
    }  # fmt: skip


def test_creating_a_user_who_then_signs_in(api, company):
    response = api.post(USERS, new_user(company), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert "password" not in body
    assert (body["groups"], body["companies"], body["is_staff"]) == (["Sales / User"], [company.pk], True)
    user = User.objects.get(username="jdewit")
    assert user.check_password("Kantoor-Gent-2026") and user.has_perm("core.add_partner")
    entry = AuditEntry.objects.get(object_id=str(user.pk), content_type__model="user")
    assert entry.changes["password"] == {"old": None, "new": "***"}
    token = APIClient().post("/api/v1/auth/token/", {"username": "jdewit", "password": "Kantoor-Gent-2026"}, format="json")
    assert token.status_code == 201


def test_weak_passwords_and_taken_usernames_are_refused(api, company, manager):
    weak = api.post(USERS, new_user(company, password="jdewit"), format="json")
    assert weak.status_code == 400
    assert list(weak.json()["errors"]) == ["password"]
    assert "too short" in " ".join(weak.json()["errors"]["password"])
    taken = api.post(USERS, new_user(company, username="manager"), format="json")
    assert taken.status_code == 400
    assert taken.json()["errors"] == {"username": ["A user with that username already exists."]}
    assert User.objects.count() == 1


def test_the_current_company_must_be_allowed(api, company, other_company):
    response = api.post(USERS, new_user(company, companies=[], current_company=company.pk), format="json")
    assert response.json()["errors"] == {"current_company": ["The current company must be one of the allowed companies."]}
    foreign = api.post(USERS, new_user(company, companies=[other_company.pk]), format="json")
    assert list(foreign.json()["errors"]) == ["companies"]
    assert not User.objects.filter(username="jdewit").exists()


def test_users_are_deactivated_and_deleted_only_when_nothing_refers_to_them(api, company):
    created = api.post(USERS, new_user(company), format="json").json()
    assert api.patch(f"{USERS}{created['id']}/", {"is_active": False}, format="json").status_code == 200
    assert not User.objects.get(pk=created["id"]).is_active
    assert api.delete(f"{USERS}{created['id']}/").status_code == 403  # Settings / Manager may not delete users
    root = APIClient()
    root.force_authenticate(UserFactory(username="root", is_superuser=True, companies=[company]))
    manager = User.objects.get(username="manager")
    refused = root.delete(f"{USERS}{manager.pk}/")
    assert refused.status_code == 409 and refused.json()["code"] == "in_use"  # the audit trail names them as actor
    assert User.objects.filter(pk=manager.pk).exists()
    assert root.delete(f"{USERS}{created['id']}/").status_code == 204  # never acted: nothing refers to them
    assert AuditEntry.objects.filter(object_id=str(created["id"]), content_type__model="user", action="delete").count() == 1


@pytest.mark.parametrize("field", ["is_superuser", "user_permissions"])
def test_superuser_rights_cannot_be_given_through_the_api(api, company, field):
    response = api.post(USERS, new_user(company, **{field: True if field == "is_superuser" else [1]}), format="json")
    assert response.status_code == 201
    user = User.objects.get(username="jdewit")
    assert not user.is_superuser and not user.user_permissions.exists()


def test_only_a_superuser_changes_a_superuser(api, company):
    boss = UserFactory(username="boss", is_superuser=True)
    response = api.patch(f"{USERS}{boss.pk}/", {"first_name": "Hacked"}, format="json")
    assert response.status_code == 403
    assert User.objects.get(pk=boss.pk).first_name == ""


def test_users_of_other_companies_are_not_visible(api, company, other_company):
    UserFactory(username="elsewhere", companies=[other_company])
    names = [row["username"] for row in api.get(USERS).json()["results"]]
    assert names == ["manager"]
