"""The demo customers and suppliers: companies in Belgium and its neighbours, with contacts and bank accounts.

Every name, address and number comes from generators seeded with a constant, so each load makes the
same partners; a partner is recognised by its reference (C0001…, S0001…).
"""

from collections import Counter
from dataclasses import dataclass
from functools import partial
from itertools import cycle
from operator import attrgetter
from random import Random

from django.utils.text import slugify
from faker import Faker

from ..models import Company, Partner, PartnerBankAccount, PartnerKind, PaymentTerm
from .identifiers import iban, vat_number
from .loader import Loader, index
from .payment_terms import DAYS_30, DAYS_30_END_OF_MONTH, DAYS_60, DEPOSIT_30, IMMEDIATE
from .places import LEGAL_FORMS, TOP_LEVEL_DOMAINS, TOWNS, TRADES, Town, fill

SEED = 2026
CUSTOMERS = Counter({"BE": 26, "FR": 10, "NL": 9, "DE": 5})
SUPPLIERS = Counter({"BE": 11, "DE": 9, "NL": 5, "FR": 5})
# Payment term names with how often they are given.
CUSTOMER_TERMS = {DAYS_30: 8, DAYS_30_END_OF_MONTH: 4, DEPOSIT_30: 3, DAYS_60: 3, IMMEDIATE: 2}
SUPPLIER_TERMS = {DAYS_30_END_OF_MONTH: 5, DAYS_60: 3, DAYS_30: 2}
# Contacts under the partners of each kind, in turn: two, one, none, none, two, one…
CONTACTS_PER_PARTNER = (2, 1, 0, 0)


@dataclass(frozen=True)
class ContactSpec:
    name: str
    email: str
    phone: str


@dataclass(frozen=True)
class PartnerSpec:
    ref: str
    name: str
    is_customer: bool
    country: str
    language: str
    street: str
    zip: str
    city: str
    phone: str
    email: str
    website: str
    vat: str
    iban: str
    bic: str
    payment_term: str
    contacts: tuple[ContactSpec, ...]


def partner_specs() -> list[PartnerSpec]:
    draw = _Draw(SEED)
    return draw.partners("C", CUSTOMERS, is_customer=True) + draw.partners("S", SUPPLIERS, is_customer=False)


class _Draw:
    """Draws partners one after the other from one Random and one seeded Faker per locale."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = Random(seed)
        self.fakers: dict[str, Faker] = {}
        self.trade_names: set[str] = set()

    def partners(self, prefix: str, countries: Counter[str], *, is_customer: bool) -> list[PartnerSpec]:
        order = sorted(countries.elements())
        self.rng.shuffle(order)
        contact_counts = cycle(CONTACTS_PER_PARTNER)
        return [
            self.partner(f"{prefix}{number:04d}", country, is_customer, contact_count)
            for number, (country, contact_count) in enumerate(zip(order, contact_counts, strict=False), 1)
        ]

    def partner(self, ref: str, country: str, is_customer: bool, contact_count: int) -> PartnerSpec:
        town = self.rng.choice(TOWNS[country])
        people = self.faker(f"{town.language}_{country}")
        trade_name = self.trade_name(people, "customer" if is_customer else "supplier", town.language)
        domain = f"{slugify(trade_name)}.{TOP_LEVEL_DOMAINS[country]}"
        account = iban(self.rng, country)
        terms = CUSTOMER_TERMS if is_customer else SUPPLIER_TERMS
        return PartnerSpec(
            ref=ref,
            name=f"{trade_name} {self.rng.choice(LEGAL_FORMS[country, town.language])}",
            is_customer=is_customer,
            country=country,
            language=town.language,
            street=self.street(country, town.language),
            zip=fill(town.postcode, self.rng),
            city=town.name,
            phone=fill(town.phone, self.rng),
            email=f"info@{domain}",
            website=f"https://www.{domain}",
            vat=vat_number(self.rng, country),
            iban=account.compact,
            bic=str(account.bic or ""),
            payment_term=self.rng.choices(list(terms), weights=list(terms.values()))[0],
            contacts=tuple(self.contact(people, town, domain) for _ in range(contact_count)),
        )

    def faker(self, locale: str) -> Faker:
        if locale not in self.fakers:
            self.fakers[locale] = Faker(locale)
            self.fakers[locale].seed_instance(self.seed)
        return self.fakers[locale]

    def trade_name(self, people: Faker, role: str, language: str) -> str:
        """A family name and a trade, such as "Peeters Logistiek", not used yet."""
        while True:
            family = people.last_name()
            name = f"{family[0].upper()}{family[1:]} {self.rng.choice(TRADES[role, language])}"
            if name not in self.trade_names:
                self.trade_names.add(name)
                return name

    def street(self, country: str, language: str) -> str:
        # Faker has no French-speaking Belgian street names: French ones read the same.
        street = self.faker("fr_FR" if language == "fr" else f"{language}_{country}").street_name()
        number = self.rng.randint(1, 250)
        return f"{number} {street}" if country == "FR" else f"{street[0].upper()}{street[1:]} {number}"

    def contact(self, people: Faker, town: Town, domain: str) -> ContactSpec:
        first, last = people.first_name(), people.last_name()
        return ContactSpec(
            name=f"{first} {last}", email=f"{slugify(first)}.{slugify(last)}@{domain}", phone=fill(town.phone, self.rng)
        )


def load_partners(loader: Loader, company: Company, terms: dict[str, PaymentTerm]) -> None:
    partners = index(Partner.objects.filter(company=company, parent=None).exclude(ref=""), attrgetter("ref"))
    contacts = index(
        Partner.objects.filter(company=company, parent__isnull=False), lambda contact: (contact.parent_id, contact.name)
    )
    accounts = index(PartnerBankAccount.objects.filter(company=company), lambda account: (account.partner_id, account.iban))
    for spec in partner_specs():
        partner = loader.ensure(partners, spec.ref, partial(_create_partner, loader, company, spec, terms[spec.payment_term]))
        for contact in spec.contacts:
            loader.ensure(contacts, (partner.pk, contact.name), partial(_create_contact, loader, company, partner, contact))
        loader.ensure(accounts, (partner.pk, spec.iban), partial(_create_bank_account, loader, company, partner, spec))


def _create_partner(loader: Loader, company: Company, spec: PartnerSpec, term: PaymentTerm) -> Partner:
    partner = Partner(
        company=company,
        ref=spec.ref,
        name=spec.name,
        is_company=True,
        is_customer=spec.is_customer,
        is_supplier=not spec.is_customer,
        street=spec.street,
        zip=spec.zip,
        city=spec.city,
        country=spec.country,
        vat=spec.vat,
        language=spec.language,
        email=spec.email,
        phone=spec.phone,
        website=spec.website,
        customer_payment_term=term if spec.is_customer else None,
        supplier_payment_term=None if spec.is_customer else term,
    )
    return loader.save(partner)


def _create_contact(loader: Loader, company: Company, partner: Partner, spec: ContactSpec) -> Partner:
    contact = Partner(
        company=company,
        parent=partner,
        name=spec.name,
        is_company=False,
        kind=PartnerKind.CONTACT,
        country=partner.country,
        language=partner.language,
        email=spec.email,
        phone=spec.phone,
    )
    return loader.save(contact)


def _create_bank_account(loader: Loader, company: Company, partner: Partner, spec: PartnerSpec) -> PartnerBankAccount:
    return loader.save(
        PartnerBankAccount(company=company, partner=partner, iban=spec.iban, bic=spec.bic, holder_name=partner.name)
    )
