import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from tessera.accounting.models import Journal, JournalEntry, JournalLine
from tessera.accounting.services import account_for_role, journal_entry_post, journal_entry_save
from tessera.core.models import Company, Currency
from tessera.core.services import company_create, system_user
from tessera.core.tests.factories import PartnerFactory, UserFactory


@pytest.fixture
def company(db):
    """A Belgian company created through the service, so it has its chart of accounts and journals."""
    return company_create(
        Company(name="Boekhouding NV", country="BE", currency=Currency.objects.get(code="EUR"), vat="BE0477472701"),
        by=system_user(),
    )


@pytest.fixture
def accountant(company):
    return UserFactory(username="accountant", companies=[company], roles=["Accounting / Manager"])


@pytest.fixture
def clerk(company):
    return UserFactory(username="clerk", companies=[company], roles=["Accounting / User"])


@pytest.fixture
def api(accountant):
    client = APIClient()
    client.force_authenticate(accountant)
    return client


@pytest.fixture
def customer(company):
    return PartnerFactory(company=company, name="Klant BV")


class Book:
    """Writes entries for tests: `book.entry(date, (role or account, debit, credit), ...)`."""

    def __init__(self, company, by):
        self.company, self.by = company, by

    def account(self, role_or_account):
        return role_or_account if hasattr(role_or_account, "pk") else account_for_role(self.company, role_or_account)

    def draft(self, day, *lines, journal="MISC", partner=None, ref=""):
        entry = JournalEntry(
            company=self.company, journal=Journal.objects.get(company=self.company, code=journal), date=day, ref=ref
        )
        return journal_entry_save(
            entry,
            [
                JournalLine(account=self.account(account), debit=Decimal(debit), credit=Decimal(credit), partner=partner)
                for account, debit, credit in lines
            ],
            by=self.by,
        )

    def entry(self, day, *lines, **kwargs):
        return journal_entry_post(self.draft(day, *lines, **kwargs), by=self.by)


@pytest.fixture
def book(company, accountant):
    return Book(company, accountant)


@pytest.fixture
def day():
    return datetime.date(2026, 3, 15)
