"""List pages and API lists cost the same number of queries for 2 rows as for 25: no query per row."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tessera.core.models import PaymentTerm, PaymentTermLine
from tessera.core.services import record_save

from .factories import PartnerBankAccountFactory, PartnerFactory, ProductFactory


def make_rows(company, manager, start, count):
    for n in range(start, start + count):
        parent = PartnerFactory(company=company, name=f"Parent {n}")
        partner = PartnerFactory(company=company, parent=parent, is_company=False, name=f"Contact {n}", kind="contact")
        PartnerBankAccountFactory(partner=partner)
        ProductFactory(company=company)
        term = PaymentTerm.objects.create(company=company, name=f"Term {n}")
        PaymentTermLine.objects.create(term=term, kind="percent", percent=Decimal("10"))
        PaymentTermLine.objects.create(term=term, kind="balance", days=30)
        parent.city = "Gent"
        record_save(parent, by=manager)


def count_queries(fetch):
    with CaptureQueriesContext(connection) as queries:
        response = fetch()
    assert response.status_code == 200
    return len(queries)


URLS = [
    "/admin/core/partner/", "/admin/core/product/", "/admin/core/partnerbankaccount/", "/admin/core/paymentterm/",
    "/admin/core/auditentry/", "/admin/core/user/", "/admin/core/uom/", "/admin/core/productcategory/",
    "/api/v1/core/partners/", "/api/v1/core/products/", "/api/v1/core/payment-terms/", "/api/v1/core/audit-entries/",
    "/api/v1/core/users/", "/api/v1/core/uoms/", "/api/v1/core/partner-bank-accounts/", "/api/v1/core/companies/",
]  # fmt: skip


@pytest.mark.parametrize("url", URLS)
def test_no_query_per_row(client, company, manager, url):
    client.force_login(manager)
    make_rows(company, manager, 0, 2)
    few = count_queries(lambda: client.get(url))
    make_rows(company, manager, 2, 23)
    many = count_queries(lambda: client.get(url))
    assert many == few, f"{url}: {few} queries for a few rows, {many} for many"
