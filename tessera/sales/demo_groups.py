"""Demo customer groups: "Wholesale", whose price list gives 10 % off everything and 15 % from ten
units, and "Retail", on the company's default prices; a few demo customers in each.

`load_customer_groups_demo(company, by)` is called by the sales demo after its orders (the orders'
prices stay those of the demo history); it does nothing when the groups are there already."""

from decimal import Decimal

from django.db import transaction

from tessera.core.models import Company, Partner, User
from tessera.core.services import record_save

from .models import Pricelist, PricelistItem
from .models.pricelists import CustomerGroup
from .services.pricing import customer_group_assign

WHOLESALE, RETAIL = "Wholesale", "Retail"
WHOLESALE_CUSTOMERS, RETAIL_CUSTOMERS = 3, 2


def load_customer_groups_demo(company: Company, by: User) -> None:
    if CustomerGroup.objects.filter(company=company, name=WHOLESALE).exists():
        return
    customers = list(Partner.objects.filter(company=company, parent=None, is_customer=True).order_by("ref", "id"))
    with transaction.atomic():
        pricelist = Pricelist.objects.filter(company=company, name=WHOLESALE).first()
        if pricelist is None:
            pricelist = record_save(Pricelist(company=company, name=WHOLESALE, currency=company.currency), by=by)
            for min_quantity, discount in ((Decimal(0), Decimal(10)), (Decimal(10), Decimal(15))):
                record_save(PricelistItem(company=company, pricelist=pricelist, min_quantity=min_quantity,
                                          percent_discount=discount), by=by)  # fmt: skip
        wholesale = record_save(CustomerGroup(company=company, name=WHOLESALE, pricelist=pricelist), by=by)
        retail = record_save(CustomerGroup(company=company, name=RETAIL), by=by)
        if customers[:WHOLESALE_CUSTOMERS]:
            customer_group_assign(wholesale, customers[:WHOLESALE_CUSTOMERS], by=by)
        retail_customers = customers[WHOLESALE_CUSTOMERS : WHOLESALE_CUSTOMERS + RETAIL_CUSTOMERS]
        if retail_customers:
            customer_group_assign(retail, retail_customers, by=by)
