"""Factories for core records. They build rows directly; tests of services call the services."""

from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from tessera.core.models import (
    Company,
    Currency,
    Partner,
    PartnerBankAccount,
    PaymentTerm,
    Product,
    ProductCategory,
    Sequence,
    Uom,
    User,
)


def eur() -> Currency:
    return Currency.objects.get(code="EUR")


def unit(name: str = "Unit") -> Uom:
    return Uom.objects.get(name=name)


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Company {n} NV")
    country = "BE"
    currency = factory.LazyFunction(eur)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-1")

    @factory.post_generation
    def companies(self, create, extracted, **kwargs):
        if create and extracted:
            self.companies.set(extracted)
            self.current_company = extracted[0]
            self.save()

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))


class ProductCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductCategory

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Category {n}")
    full_name = factory.LazyAttribute(lambda c: c.name)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Product {n}")
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    category = factory.SubFactory(ProductCategoryFactory, company=factory.SelfAttribute("..company"))
    uom = factory.LazyFunction(unit)
    purchase_uom = factory.LazyFunction(unit)
    sale_price = Decimal("10.00")
    cost = Decimal("6.00")


class PaymentTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentTerm

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"{30 + n} days")


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Partner {n} BV")
    country = "BE"
    is_customer = True


class PartnerBankAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerBankAccount

    partner = factory.SubFactory(PartnerFactory)
    company = factory.SelfAttribute("partner.company")
    iban = "BE68539007547034"


class SequenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sequence

    company = factory.SubFactory(CompanyFactory)
    code = "sales.invoice"
    name = "Customer invoices"
    pattern = "INV/{year}/{number}"
    padding = 5
