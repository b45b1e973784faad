"""Marking a quotation sent without e-mailing it: a draft becomes "sent", audited, with no e-mail; anything
else is refused with nothing written; the same through the API (with its schema) and the back office."""

from decimal import Decimal as D

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tessera.core.errors import BusinessError, NotAllowed
from tessera.core.models import AuditEntry
from tessera.core.tests.factories import UserFactory
from tessera.sales.models import SaleOrder
from tessera.sales.services import OrderLineDraft, sale_order_cancel, sale_order_confirm, sale_order_mark_sent, sale_order_save
from tessera.sales.states import OrderState

ORDERS = "/api/v1/sales/orders/"
PROBLEM = "application/problem+json"


@pytest.fixture
def quotation(company, seller, customer, chair):
    return sale_order_save(SaleOrder(company=company, partner=customer), [OrderLineDraft(chair, D(2))], by=seller)


def audit_of(order):
    return list(AuditEntry.objects.filter(object_id=str(order.pk), object_repr=str(order)).order_by("id"))


def test_a_draft_quotation_is_marked_sent_audited_and_no_mail_leaves(quotation, seller, django_capture_on_commit_callbacks):
    before = len(audit_of(quotation))
    with django_capture_on_commit_callbacks(execute=True):
        order = sale_order_mark_sent(quotation, by=seller)
    assert order.state == OrderState.SENT
    quotation.refresh_from_db()
    assert quotation.state == OrderState.SENT and mail.outbox == []
    entries = audit_of(quotation)
    assert len(entries) == before + 1
    assert (entries[-1].action, entries[-1].actor, entries[-1].changes) == (
        "update", seller, {"state": {"old": "draft", "new": "sent"}},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ("sent", "Quotation SO/{year}/00001 is already marked as sent."),
        ("sale", "Order SO/{year}/00001 is confirmed: only a draft quotation can be marked as sent."),
        ("cancelled", "Order SO/{year}/00001 is cancelled: only a draft quotation can be marked as sent."),
    ],
)
def test_anything_but_a_draft_is_refused_and_nothing_changes(quotation, seller, state, message):
    if state == "sent":
        sale_order_mark_sent(quotation, by=seller)
    elif state == "sale":
        sale_order_confirm(quotation, by=seller)
    else:
        sale_order_cancel(quotation, by=seller)
    audits = AuditEntry.objects.count()
    with pytest.raises(BusinessError) as refused:
        sale_order_mark_sent(quotation, by=seller)
    assert refused.value.code == "order_not_draft"
    assert str(refused.value) == message.format(year=quotation.date_order.year)
    quotation.refresh_from_db()
    assert (quotation.state, AuditEntry.objects.count()) == (state, audits)


def test_without_the_sales_role_or_the_company_it_is_refused(company, quotation):
    outsider = UserFactory(username="outsider", companies=[company], roles=["Inventory / User"])
    stranger = UserFactory(username="stranger", companies=[], roles=["Sales / Manager"])
    for user in (outsider, stranger):
        with pytest.raises(NotAllowed):
            sale_order_mark_sent(quotation, by=user)
    quotation.refresh_from_db()
    assert quotation.state == OrderState.DRAFT


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_through_the_api_by_a_salesman(salesman, quotation):
    api = client_for(salesman)
    response = api.post(f"{ORDERS}{quotation.pk}/mark-sent/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["number"], body["state"], mail.outbox) == (quotation.pk, quotation.number, "sent", [])
    again = api.post(f"{ORDERS}{quotation.pk}/mark-sent/")
    assert (again.status_code, again["Content-Type"], again.json()["code"]) == (409, PROBLEM, "order_not_draft")
    assert again.json()["detail"] == f"Quotation {quotation.number} is already marked as sent."


def test_the_api_refuses_a_user_without_the_role(company, quotation):
    reader = UserFactory(username="reader", companies=[company], roles=["Inventory / User"])
    response = client_for(reader).post(f"{ORDERS}{quotation.pk}/mark-sent/")
    assert (response.status_code, response["Content-Type"]) == (403, PROBLEM)
    quotation.refresh_from_db()
    assert quotation.state == OrderState.DRAFT


def test_the_api_schema_documents_the_action(api):
    schema = api.get(reverse("api-schema"), {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/sales/orders/{id}/mark-sent/"]["post"]
    assert "without e-mailing it" in operation["description"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/SaleOrder")


def test_the_button_next_to_send_in_the_back_office(client: Client, seller, quotation):
    client.force_login(seller)
    page = client.get(f"/admin/sales/saleorder/{quotation.pk}/change/").content.decode()
    send, mark = page.index(f"/{quotation.pk}/do/send/"), page.index(f"/{quotation.pk}/do/mark-sent/")
    assert send < mark and "Mark as sent" in page
    response = client.post(f"/admin/sales/saleorder/{quotation.pk}/do/mark-sent/", follow=True)
    assert "The quotation is marked as sent; no e-mail was sent." in [str(m) for m in response.context["messages"]]
    quotation.refresh_from_db()
    assert quotation.state == OrderState.SENT and mail.outbox == []
    page = client.get(f"/admin/sales/saleorder/{quotation.pk}/change/").content.decode()
    assert f"/{quotation.pk}/do/mark-sent/" not in page and f"/{quotation.pk}/do/send/" in page
    # Once sent, a second click (an old page) is refused, not run again.
    assert client.post(f"/admin/sales/saleorder/{quotation.pk}/do/mark-sent/").status_code == 403
