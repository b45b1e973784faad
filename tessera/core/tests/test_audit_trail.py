from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction

from tessera.core.audit import audit_source, history_of
from tessera.core.models import AuditEntry, AuditTrailIsAppendOnly, Partner, PartnerBankAccount, Product, User
from tessera.core.services import record_delete, record_save

from .factories import ProductCategoryFactory, unit


def new_product(company, **values):
    category = ProductCategoryFactory(company=company)
    defaults = {"name": "Workbench", "sku": "WB-100", "category": category, "uom": unit(), "purchase_uom": unit()}
    return Product(company=company, **{**defaults, **values})


def test_creating_records_the_values(company, manager):
    product = record_save(new_product(company, sale_price=Decimal("249.5")), by=manager)
    (entry,) = history_of(product)
    assert entry.action == "create"
    assert entry.actor == manager
    assert entry.company == company
    assert entry.object_repr == "[WB-100] Workbench"
    assert entry.changes["name"] == {"old": None, "new": "Workbench"}
    assert entry.changes["sale_price"] == {"old": None, "new": "249.5"}
    assert entry.changes["uom"]["new_label"] == "Unit"
    assert "description" not in entry.changes  # empty values are not noise in the trail


def test_updating_records_only_what_changed(company, manager):
    product = record_save(new_product(company, sale_price=Decimal("249.50")), by=manager)
    product = Product.objects.get(pk=product.pk)
    product.sale_price = Decimal("259.00")
    product.purchase_uom = unit("Dozen")
    record_save(product, by=manager)
    latest = history_of(product).first()
    assert latest.action == "update"
    assert latest.changes == {
        "sale_price": {"old": "249.500000", "new": "259.00"},
        "purchase_uom": {"old": unit().pk, "new": unit("Dozen").pk, "old_label": "Unit", "new_label": "Dozen"},
    }


def test_saving_without_change_writes_nothing(company, manager):
    product = record_save(new_product(company), by=manager)
    record_save(Product.objects.get(pk=product.pk), by=manager)
    assert history_of(product).count() == 1


def test_deleting_records_the_last_values_and_what_went_with_it(company, manager):
    partner = record_save(Partner(company=company, name="Acme BV", country="NL"), by=manager)
    account = record_save(PartnerBankAccount(company=company, partner=partner, iban="NL91ABNA0417164300"), by=manager)
    partner_id, account_id = partner.pk, account.pk
    record_delete(Partner.objects.get(pk=partner_id), by=manager)
    deletions = AuditEntry.objects.filter(action="delete").order_by("content_type__model")
    assert [(e.content_type.model, e.object_id) for e in deletions] == [
        ("partner", str(partner_id)),
        ("partnerbankaccount", str(account_id)),
    ]
    assert deletions[0].changes["name"] == {"old": "Acme BV", "new": None}
    assert deletions[1].changes["iban"] == {"old": "NL91ABNA0417164300", "new": None}


def test_many_to_many_changes_and_masked_passwords(company, manager):
    user = User(username="newbie")
    user.set_password("first-secret-1")
    record_save(user, by=manager, m2m={"companies": [company], "groups": Group.objects.filter(name="Sales / User")})
    created = history_of(user).get()
    assert created.changes["password"] == {"old": None, "new": "***"}
    assert created.changes["groups"]["new_label"] == ["Sales / User"]
    assert created.changes["companies"]["new"] == [company.pk]
    user = User.objects.get(pk=user.pk)
    user.set_password("second-secret-2")
    record_save(user, by=manager, m2m={"groups": Group.objects.filter(name="Sales / Manager")})
    updated = history_of(user).first()
    assert updated.changes["password"] == {"old": "***", "new": "***"}
    assert updated.changes["groups"]["old_label"] == ["Sales / User"]
    assert updated.changes["groups"]["new_label"] == ["Sales / Manager"]
    assert "first-secret" not in str(updated.changes) and "pbkdf2" not in str(updated.changes)


def test_the_source_is_recorded(company, manager):
    with audit_source("api"):
        partner = record_save(Partner(company=company, name="Via API", country="BE"), by=manager)
    assert history_of(partner).get().source == "api"


def test_entries_cannot_be_changed_or_deleted_through_the_orm(company, manager):
    partner = record_save(Partner(company=company, name="Acme", country="BE"), by=manager)
    entry = history_of(partner).get()
    entry.object_repr = "forged"
    with pytest.raises(AuditTrailIsAppendOnly):
        entry.save()
    with pytest.raises(AuditTrailIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(object_repr="forged")
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == "Acme"


@pytest.mark.postgres
def test_the_database_refuses_raw_updates_and_deletes(company, manager):
    partner = record_save(Partner(company=company, name="Acme", country="BE"), by=manager)
    entry = history_of(partner).get()
    for statement in (
        "UPDATE core_auditentry SET object_repr = 'forged' WHERE id = %s",
        "DELETE FROM core_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == "Acme"


def test_the_back_office_offers_no_way_to_edit_the_trail(client, company, manager):
    partner = record_save(Partner(company=company, name="Acme", country="BE"), by=manager)
    manager.is_superuser = True
    manager.save()
    client.force_login(manager)
    entry = AuditEntry.objects.latest("id")
    assert client.get("/admin/core/auditentry/").status_code == 200
    assert client.get("/admin/core/auditentry/add/").status_code == 403
    assert client.post(f"/admin/core/auditentry/{entry.pk}/change/", {"object_repr": "forged"}).status_code == 403
    assert client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == str(partner)


def test_the_api_offers_no_way_to_edit_the_trail(api, company, manager):
    partner = record_save(Partner(company=company, name="Acme", country="BE"), by=manager)
    entry = history_of(partner).get()
    listing = api.get("/api/v1/core/audit-entries/", {"object_id": partner.pk, "content_type__model": "partner"})
    assert listing.status_code == 200
    assert [row["id"] for row in listing.json()["results"]] == [entry.pk]
    assert api.post("/api/v1/core/audit-entries/", {"object_repr": "forged"}).status_code == 405
    assert api.patch(f"/api/v1/core/audit-entries/{entry.pk}/", {"object_repr": "forged"}).status_code == 405
    assert api.delete(f"/api/v1/core/audit-entries/{entry.pk}/").status_code == 405
    assert AuditEntry.objects.count() == 1


def test_a_records_history_through_the_api(api, company):
    created = api.post("/api/v1/core/partners/", {"name": "Brussels Steel", "country": "BE"})
    assert created.status_code == 201, created.content
    partner_id = created.json()["id"]
    assert api.patch(f"/api/v1/core/partners/{partner_id}/", {"city": "Brussel"}).status_code == 200
    history = api.get(f"/api/v1/core/partners/{partner_id}/history/").json()
    assert [(row["action"], row["actor"], row["source"]) for row in history] == [
        ("update", "manager", "api"),
        ("create", "manager", "api"),
    ]
    assert history[0]["changes"] == {"city": {"old": "", "new": "Brussel"}}
