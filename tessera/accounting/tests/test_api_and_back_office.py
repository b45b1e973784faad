"""Journal entries through the API and the back office: drafts, posting, reversal, refusals."""

from decimal import Decimal

import pytest

from tessera.accounting.models import Journal, JournalEntry
from tessera.accounting.services import account_for_role
from tessera.core.models import AuditEntry

ENTRIES = "/api/v1/accounting/entries/"


@pytest.fixture
def accounts(company):
    return {role: account_for_role(company, role).pk for role in ("receivable", "sales", "vat_due", "bank")}


@pytest.fixture
def misc(company):
    return Journal.objects.get(company=company, code="MISC").pk


def sale(misc, accounts, **values):
    return {
        "journal": misc, "date": "2026-03-15", "ref": "SO-1",
        "lines": [
            {"account": accounts["receivable"], "debit": "121.00", "credit": "0"},
            {"account": accounts["sales"], "debit": "0", "credit": "100.00"},
            {"account": accounts["vat_due"], "debit": "0", "credit": "21.00"},
        ],
        **values,
    }  # fmt: skip


def test_a_draft_is_created_posted_and_reversed(api, misc, accounts):
    created = api.post(ENTRIES, sale(misc, accounts), format="json")
    assert created.status_code == 201, created.content
    entry = created.json()
    assert (entry["state"], entry["number"], len(entry["lines"])) == ("draft", "", 3)
    posted = api.post(f"{ENTRIES}{entry['id']}/post/", format="json")
    assert posted.status_code == 200, posted.content
    assert (posted.json()["state"], posted.json()["number"]) == ("posted", "MISC/2026/00001")
    assert len(posted.json()["hash"]) == 64
    reversed_ = api.post(f"{ENTRIES}{entry['id']}/reverse/", {"date": "2026-03-31"}, format="json")
    assert reversed_.status_code == 201
    assert (reversed_.json()["number"], reversed_.json()["reverses"]) == ("MISC/2026/00002", entry["id"])
    assert [line["debit"] for line in reversed_.json()["lines"]] == ["0.0000", "100.0000", "21.0000"]


def test_a_draft_is_edited_with_its_lines_replaced(api, misc, accounts):
    entry = api.post(ENTRIES, sale(misc, accounts), format="json").json()
    lines = [
        {"account": accounts["bank"], "debit": "50", "credit": "0"},
        {"account": accounts["sales"], "debit": "0", "credit": "50"},
    ]
    response = api.patch(f"{ENTRIES}{entry['id']}/", {"lines": lines, "ref": "SO-2"}, format="json")
    assert response.status_code == 200, response.content
    assert [(line["account"], line["debit"]) for line in response.json()["lines"]] == [
        (accounts["bank"], "50.0000"), (accounts["sales"], "0.0000"),
    ]  # fmt: skip
    latest = AuditEntry.objects.filter(content_type__model="journalentry", object_id=str(entry["id"])).first()
    assert set(latest.changes) == {"ref", "lines"}


def test_an_unbalanced_entry_is_refused_and_stays_a_draft(api, misc, accounts):
    body = sale(misc, accounts)
    body["lines"][1]["credit"] = "99.99"
    entry = api.post(ENTRIES, body, format="json").json()
    response = api.post(f"{ENTRIES}{entry['id']}/post/", format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "unbalanced"
    assert "difference 0.01" in response.json()["detail"]
    assert JournalEntry.objects.get(pk=entry["id"]).state == "draft"


def test_a_posted_entry_cannot_be_changed_or_deleted(api, misc, accounts):
    entry = api.post(ENTRIES, sale(misc, accounts), format="json").json()
    api.post(f"{ENTRIES}{entry['id']}/post/", format="json")
    patched = api.patch(f"{ENTRIES}{entry['id']}/", {"ref": "changed"}, format="json")
    assert patched.status_code == 409 and patched.json()["code"] == "entry_posted"
    deleted = api.delete(f"{ENTRIES}{entry['id']}/")
    assert deleted.status_code == 409 and deleted.json()["code"] == "entry_posted"
    again = api.post(f"{ENTRIES}{entry['id']}/post/", format="json")
    assert again.status_code == 409
    assert JournalEntry.objects.get(pk=entry["id"]).ref == "SO-1"


def test_bad_lines_get_field_errors(api, misc, accounts):
    body = sale(misc, accounts)
    body["lines"][0]["debit"] = "-121.00"
    response = api.post(ENTRIES, body, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["lines.0.debit"]
    body = sale(misc, accounts)
    body["lines"][0].update(debit="5", credit="5")
    response = api.post(ENTRIES, body, format="json")
    assert response.json()["errors"] == {"lines.0.credit": ["A line has a debit or a credit, not both."]}
    assert not JournalEntry.objects.exists()


def test_a_clerk_drafts_but_does_not_post(clerk, misc, accounts):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(clerk)
    entry = client.post(ENTRIES, sale(misc, accounts), format="json")
    assert entry.status_code == 201
    assert client.post(f"{ENTRIES}{entry.json()['id']}/post/", format="json").status_code == 403


def test_posting_twice_with_the_same_idempotency_key_posts_once(api, misc, accounts):
    entry = api.post(ENTRIES, sale(misc, accounts), format="json").json()
    first = api.post(f"{ENTRIES}{entry['id']}/post/", format="json", HTTP_IDEMPOTENCY_KEY="post-1")
    second = api.post(f"{ENTRIES}{entry['id']}/post/", format="json", HTTP_IDEMPOTENCY_KEY="post-1")
    assert first.status_code == second.status_code == 200
    assert second["Idempotent-Replayed"] == "true" and second.json() == first.json()


def test_journal_items_list_posted_lines_only(api, misc, accounts):
    posted = api.post(ENTRIES, sale(misc, accounts), format="json").json()
    api.post(f"{ENTRIES}{posted['id']}/post/", format="json")
    api.post(ENTRIES, sale(misc, accounts), format="json")
    items = api.get("/api/v1/accounting/journal-items/", {"account": accounts["receivable"]}).json()
    assert [(row["entry_number"], row["debit"]) for row in items["results"]] == [("MISC/2026/00001", "121.0000")]


class TestBackOffice:
    def form(self, company, accounts, lines):
        data = {
            "journal": Journal.objects.get(company=company, code="MISC").pk, "date": "2026-03-15", "ref": "BO-1", "narration": "",
            "lines-TOTAL_FORMS": str(len(lines)), "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "1000",
        }  # fmt: skip
        for index, (role, debit, credit) in enumerate(lines):
            data.update({f"lines-{index}-account": accounts[role] if role else "", f"lines-{index}-debit": debit,
                         f"lines-{index}-credit": credit, f"lines-{index}-amount_currency": "0"})  # fmt: skip
        return data

    def test_an_entry_is_typed_posted_and_shown_read_only(self, client, accountant, company, accounts):
        client.force_login(accountant)
        lines = [("receivable", "121", "0"), ("sales", "0", "100"), ("vat_due", "0", "21"), (None, "0", "0")]
        response = client.post("/admin/accounting/journalentry/add/", self.form(company, accounts, lines))
        assert response.status_code == 302, response.context["errors"] if response.context else response
        entry = JournalEntry.objects.get(ref="BO-1")
        assert entry.lines.count() == 3
        page = client.get(f"/admin/accounting/journalentry/{entry.pk}/change/").content.decode()
        assert 'id="workflow-bar"' in page and 'data-state="draft"' in page and f"/{entry.pk}/do/post/" in page
        assert client.get(f"/admin/accounting/journalentry/{entry.pk}/do/post/").status_code == 405
        done = client.post(f"/admin/accounting/journalentry/{entry.pk}/do/post/", follow=True)
        assert "The entry is posted." in done.content.decode()
        entry.refresh_from_db()
        assert (entry.state, entry.number) == ("posted", "MISC/2026/00001")
        page = client.get(f"/admin/accounting/journalentry/{entry.pk}/change/").content.decode()
        assert 'data-state="posted"' in page and "/do/post/" not in page and "/do/reverse/" in page
        assert 'name="lines-0-debit"' not in page  # the lines are read-only now

    def test_an_unbalanced_entry_shows_why_it_cannot_be_posted(self, client, accountant, company, accounts):
        client.force_login(accountant)
        client.post(
            "/admin/accounting/journalentry/add/", self.form(company, accounts, [("receivable", "10", "0"), ("sales", "0", "9")])
        )
        entry = JournalEntry.objects.get(ref="BO-1")
        done = client.post(f"/admin/accounting/journalentry/{entry.pk}/do/post/", follow=True)
        assert "The entry is not balanced: debit 10.0000, credit 9.0000" in done.content.decode()
        entry.refresh_from_db()
        assert entry.state == "draft" and entry.lines.get(debit=Decimal(10)).posted is False

    def test_a_clerk_sees_no_post_button(self, client, clerk, company, accounts):
        client.force_login(clerk)
        client.post(
            "/admin/accounting/journalentry/add/", self.form(company, accounts, [("receivable", "10", "0"), ("sales", "0", "10")])
        )
        entry = JournalEntry.objects.get(ref="BO-1")
        assert "/do/post/" not in client.get(f"/admin/accounting/journalentry/{entry.pk}/change/").content.decode()
        assert client.post(f"/admin/accounting/journalentry/{entry.pk}/do/post/").status_code == 403
