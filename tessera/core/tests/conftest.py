import pytest
from rest_framework.test import APIClient

from .factories import CompanyFactory, UserFactory


@pytest.fixture
def company(db):
    return CompanyFactory(name="Atelier Nord NV", vat="BE0477472701")


@pytest.fixture
def other_company(db):
    return CompanyFactory(name="Société Sud SA", country="FR")


@pytest.fixture
def manager(company):
    """A user with every master-data permission, working in `company`."""
    return UserFactory(username="manager", companies=[company], roles=["Settings / Manager"])


@pytest.fixture
def api(manager):
    client = APIClient()
    client.force_authenticate(manager)
    return client
