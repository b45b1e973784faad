"""Idempotency-Key on POST: a retry gets the first response and creates nothing new."""

import datetime
import json
import threading
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.utils import timezone
from rest_framework.test import APIClient

from tessera.core import api as core_api
from tessera.core.models import AuditEntry, IdempotencyKey, Partner
from tessera.core.rest.idempotency import purge_expired_keys
from tessera.core.services import api_token_create

from .factories import UserFactory
from .test_api_errors import assert_problem, nothing_written, row_counts

PARTNERS = "/api/v1/core/partners/"
BODY = {"name": "Brouwerij Test", "country": "BE", "is_customer": True}


def post(client: APIClient, key: str | None, body: Any = None, path: str = PARTNERS) -> Any:
    extra = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return client.post(path, BODY if body is None else body, format="json", **extra)


def age_keys(hours: float, **filters: Any) -> None:
    IdempotencyKey.objects.filter(**filters).update(created_at=timezone.now() - datetime.timedelta(hours=hours))


def test_retry_with_the_same_key_and_body_replays_the_first_response_and_creates_nothing(api, company):
    first = post(api, "order-7f3a")
    assert first.status_code == 201, first.content
    assert not first.has_header("Idempotent-Replayed")
    counts = row_counts()

    second = post(api, "order-7f3a")

    assert row_counts() == counts
    assert second.status_code == 201
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"] == "application/json"
    assert second["Idempotent-Replayed"] == "true"
    assert Partner.objects.count() == 1
    assert AuditEntry.objects.filter(action="create", object_id=str(first.json()["id"])).count() == 1
    key = IdempotencyKey.objects.get()
    assert (key.key, key.completed, key.response_status) == ("order-7f3a", True, 201)


def test_replay_is_the_first_response_even_after_the_record_changed(api, company):
    first = post(api, "order-7f3a")
    partner_id = first.json()["id"]
    assert api.patch(f"{PARTNERS}{partner_id}/", {"name": "Brouwerij Nieuw"}, format="json").status_code == 200
    second = post(api, "order-7f3a")
    assert (second.status_code, second.json()["name"]) == (201, "Brouwerij Test")
    assert Partner.objects.get().name == "Brouwerij Nieuw"


def test_same_key_with_another_body_is_422_and_creates_nothing(api, company):
    assert post(api, "order-7f3a").status_code == 201
    with nothing_written():
        response = post(api, "order-7f3a", {**BODY, "name": "Another Brewery"})
    problem = assert_problem(response, 422, "idempotency_key_reused")
    assert problem["detail"] == "This Idempotency-Key was already used for a different request."
    assert list(Partner.objects.values_list("name", flat=True)) == ["Brouwerij Test"]


@pytest.mark.parametrize("path", ["/api/v1/core/partners/?x=1", "/api/v1/core/product-categories/"])
def test_same_key_and_body_on_another_url_is_422(api, company, path):
    assert post(api, "order-7f3a").status_code == 201
    with nothing_written():
        response = post(api, "order-7f3a", {"name": "Brouwerij Test"}, path=path)
    assert_problem(response, 422, "idempotency_key_reused")


def test_keys_of_different_users_are_independent(api, company, manager):
    colleague = UserFactory(username="colleague", companies=[company], roles=["Settings / Manager"])
    other = APIClient()
    other.force_authenticate(colleague)

    mine, theirs = post(api, "same-key"), post(other, "same-key")

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert not theirs.has_header("Idempotent-Replayed")
    assert mine.json()["id"] != theirs.json()["id"]
    assert Partner.objects.count() == 2
    assert sorted(IdempotencyKey.objects.values_list("user__username", flat=True)) == ["colleague", "manager"]


def test_failed_request_replays_the_same_400(api, company):
    bad = {"name": "Brouwerij Test", "country": "BE", "vat": "BE0123456788"}
    before = row_counts()
    first = post(api, "order-bad", bad)
    assert row_counts() == {**before, "IdempotencyKey": 1}  # only the key, holding the answer
    assert_problem(first, 400, "invalid", {"vat": ["BE0123456788 is not a valid VAT number for BE."]})
    with nothing_written():
        second = post(api, "order-bad", bad)
    assert second.status_code == 400
    assert second.content == first.content
    assert second["Content-Type"] == "application/problem+json"
    assert second["Idempotent-Replayed"] == "true"
    # the key stays spent on that request: the corrected body needs a new key
    with nothing_written():
        corrected = post(api, "order-bad", {**bad, "vat": "BE0477472701"})
    assert_problem(corrected, 422, "idempotency_key_reused")
    assert post(api, "order-good", {**bad, "vat": "BE0477472701"}).status_code == 201


def test_body_that_is_not_json_replays_its_parse_error(api, company):
    first = api.post(PARTNERS, "{bad", content_type="application/json", HTTP_IDEMPOTENCY_KEY="broken")
    assert_problem(first, 400, "parse_error")
    second = api.post(PARTNERS, "{bad", content_type="application/json", HTTP_IDEMPOTENCY_KEY="broken")
    assert (second.status_code, second.content, second["Idempotent-Replayed"]) == (400, first.content, "true")
    assert Partner.objects.count() == 0


def test_request_still_in_progress_is_409(api, company):
    assert post(api, "order-7f3a").status_code == 201
    IdempotencyKey.objects.update(completed=False, response_status=None, response_body=None)  # as while it runs
    with nothing_written():
        response = post(api, "order-7f3a")
    problem = assert_problem(response, 409, "idempotency_key_in_progress")
    assert problem["detail"] == "A request with this Idempotency-Key is still being processed. Retry later."
    assert Partner.objects.count() == 1


def test_server_error_releases_the_key_so_that_a_retry_runs(company, manager, monkeypatch):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(manager)

    def crash(self: Any, serializer: Any) -> None:
        raise RuntimeError("disk on fire")

    with monkeypatch.context() as patch:
        patch.setattr(core_api.PartnerViewSet, "perform_create", crash)
        failed = post(client, "order-7f3a")
    assert_problem(failed, 500, "server_error")
    assert (IdempotencyKey.objects.count(), Partner.objects.count()) == (0, 0)

    retried = post(client, "order-7f3a")
    assert retried.status_code == 201
    assert not retried.has_header("Idempotent-Replayed")
    assert Partner.objects.count() == 1


def test_expired_key_is_ignored_and_replaced(api, company):
    assert post(api, "order-7f3a").status_code == 201
    age_keys(settings.IDEMPOTENCY_KEY_TTL_HOURS + 0.1)

    response = post(api, "order-7f3a", {**BODY, "name": "Another Brewery"})

    assert response.status_code == 201
    assert not response.has_header("Idempotent-Replayed")
    assert sorted(Partner.objects.values_list("name", flat=True)) == ["Another Brewery", "Brouwerij Test"]
    key = IdempotencyKey.objects.get()
    assert key.created_at > timezone.now() - datetime.timedelta(minutes=1)


def test_key_younger_than_the_ttl_still_replays(api, company):
    first = post(api, "order-7f3a")
    age_keys(settings.IDEMPOTENCY_KEY_TTL_HOURS - 0.1)
    second = post(api, "order-7f3a")
    assert (second.status_code, second.content, second["Idempotent-Replayed"]) == (201, first.content, "true")
    assert Partner.objects.count() == 1


def test_purge_deletes_only_expired_keys(api, company):
    for number in range(4):
        assert post(api, f"order-{number}", {**BODY, "name": f"Partner {number}"}).status_code == 201
    ttl = settings.IDEMPOTENCY_KEY_TTL_HOURS
    age_keys(ttl + 1, key__in=["order-0", "order-1"])
    age_keys(ttl - 1, key="order-2")

    assert purge_expired_keys() == 2

    assert sorted(IdempotencyKey.objects.values_list("key", flat=True)) == ["order-2", "order-3"]
    assert purge_expired_keys() == 0
    assert Partner.objects.count() == 4


def test_without_a_key_each_post_creates_a_record(api, company):
    first, second = post(api, None), post(api, None)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]
    assert Partner.objects.count() == 2
    assert IdempotencyKey.objects.count() == 0


@pytest.mark.parametrize(
    "key", ["", "k" * 256, "order\x00seven", "order\nseven", "commande-été"], ids=["empty", "256", "nul", "newline", "non-ascii"]
)
def test_key_that_is_empty_too_long_or_not_printable_ascii_is_refused(api, company, key):
    with nothing_written():
        response = post(api, key)
    assert_problem(
        response, 400, "invalid", {"Idempotency-Key": ["Use a key of 1 to 255 printable ASCII characters, such as a UUID."]}
    )


def test_key_of_255_printable_characters_is_accepted(api, company):
    key = "k-~ !" + "x" * 250
    assert post(api, key).status_code == 201
    assert post(api, key)["Idempotent-Replayed"] == "true"
    assert IdempotencyKey.objects.get().key == key


def test_key_on_patch_is_ignored(api, company):
    partner_id = post(api, None).json()["id"]
    for name in ("First", "Second"):
        response = api.patch(f"{PARTNERS}{partner_id}/", {"name": name}, format="json", HTTP_IDEMPOTENCY_KEY="patch-1")
        assert response.status_code == 200
        assert not response.has_header("Idempotent-Replayed")
    assert Partner.objects.get().name == "Second"
    assert IdempotencyKey.objects.count() == 0


def test_refused_before_the_view_runs_stores_no_key(company):
    auditor = UserFactory(companies=[company], roles=["Auditor"])
    client = APIClient()
    client.force_authenticate(auditor)
    with nothing_written():
        assert_problem(post(client, "order-7f3a"), 403, "permission_denied")
        assert_problem(post(APIClient(), "order-7f3a"), 401, "not_authenticated")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_retries_create_one_partner(company, manager):
    _token, key = api_token_create(manager, name="load test", by=manager)
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    responses: list[Any] = [None] * threads_count
    errors: list[BaseException] = []

    def send(index: int) -> None:
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
            barrier.wait(timeout=30)
            responses[index] = post(client, "concurrent-1")
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(index,)) for index in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert Partner.objects.count() == 1
    partner = Partner.objects.get()
    assert AuditEntry.objects.filter(action="create", object_id=str(partner.pk)).count() == 1
    assert IdempotencyKey.objects.filter(key="concurrent-1", completed=True, response_status=201).count() == 1

    originals = [r for r in responses if r.status_code == 201 and not r.has_header("Idempotent-Replayed")]
    replays = [r for r in responses if r.status_code == 201 and r.has_header("Idempotent-Replayed")]
    in_progress = [r for r in responses if r.status_code == 409]
    assert len(originals) == 1
    assert len(originals) + len(replays) + len(in_progress) == threads_count
    assert originals[0].json()["id"] == partner.pk
    assert all(r.content == originals[0].content and r["Idempotent-Replayed"] == "true" for r in replays)
    assert all(json.loads(r.content)["code"] == "idempotency_key_in_progress" for r in in_progress)
    assert all(r["Content-Type"] == "application/problem+json" for r in in_progress)
