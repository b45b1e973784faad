"""Setting up a company's accounting: chart of accounts, account roles, journals, taxes."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tessera.core.errors import BusinessError
from tessera.core.models import Company, User
from tessera.core.models import Sequence as NumberSequence
from tessera.core.services import (
    record_save,
)
from tessera.core.transactions import operation, remembered

from ..chart import read_chart, read_fiscal_positions, read_taxes, template_for
from ..models import (
    Account,
    AccountingSettings,
    AccountRole,
    FiscalPosition,
    Journal,
    JournalType,
    Tax,
    TaxDistribution,
    TaxMapping,
)

DEFAULT_JOURNALS = (
    ("INV", gettext_lazy("Customer invoices"), JournalType.SALE, None),
    ("BILL", gettext_lazy("Vendor bills"), JournalType.PURCHASE, None),
    ("BNK1", gettext_lazy("Bank"), JournalType.BANK, "bank"),
    ("CSH1", gettext_lazy("Cash"), JournalType.CASH, "cash"),
    ("MISC", gettext_lazy("Miscellaneous operations"), JournalType.GENERAL, None),
)
# The taxes a new line gets when its product has none: (sales, purchases) per template.
DEFAULT_TAX_CODES = {"be": ("S21", "P21-G"), "generic": ("S-STD", "P-STD")}

# --- set-up of a company -----------------------------------------------------------------------------


def company_accounting_setup(company: Company, by: User) -> None:
    """Registered with core: a new company gets its chart of accounts, journals and settings."""
    chart_load(company, by=by)


def chart_load(company: Company, *, by: User, language: str | None = None) -> int:
    """Load the company's chart template (Belgian PCMN for Belgian companies), its account roles,
    default journals and settings. Only what is missing is created; returns the accounts created."""
    language = language or by.language
    with operation():
        existing = {account.code: account for account in Account.objects.filter(company=company)}
        roles = set(AccountRole.objects.filter(company=company).values_list("role", flat=True))
        created = 0
        for spec in read_chart(template_for(str(company.country))):
            account = existing.get(spec.code)
            if account is None:
                account = record_save(
                    Account(company=company, code=spec.code, name=spec.name(language), type=spec.type, reconcile=spec.reconcile),
                    by=by,
                )
                created += 1
            for role in set(spec.roles) - roles:
                record_save(AccountRole(company=company, role=role, account=account), by=by)
        _ensure_journals(company, by)
        template = template_for(str(company.country))
        _ensure_taxes(company, template, by, language)
        _ensure_fiscal_positions(company, template, by, language)
        _ensure_settings(company, template, by)
    return created


def _ensure_journals(company: Company, by: User) -> None:
    codes = set(Journal.objects.filter(company=company).values_list("code", flat=True))
    for code, name, journal_type, role in DEFAULT_JOURNALS:
        if code not in codes:
            account = account_for_role(company, role) if role else None
            journal_save(Journal(company=company, code=code, name=str(name), type=journal_type, default_account=account), by=by)


def account_for_role(company: Company, role: str) -> Account:
    found = remembered(
        AccountRole,
        (company.pk, role),
        lambda: AccountRole.objects.filter(company=company, role=role).select_related("account").first(),
    )
    if found is None:
        raise BusinessError(
            _("No account has the role %(role)s in %(company)s. Set it under Accounting > Account roles.")
            % {"role": role, "company": company},
            code="missing_account_role",
        )
    return found.account


def accounting_settings(company: Company) -> AccountingSettings | None:
    """The company's accounting settings with its default taxes, read once per configuration version."""
    return remembered(AccountingSettings, company.pk, lambda: _settings_of(company))


def tax_distribution(tax: Tax) -> list[TaxDistribution]:
    """Where the tax's amount goes (invoice and refund parts, with their accounts), read once per
    configuration version."""
    parts = TaxDistribution.objects.filter(tax_id=tax.pk).select_related("account")
    return remembered(TaxDistribution, tax.pk, lambda: list(parts))


def _settings_of(company: Company) -> AccountingSettings | None:
    return AccountingSettings.objects.filter(company=company).select_related("default_sale_tax", "default_purchase_tax").first()


def journal_save(journal: Journal, *, by: User) -> Journal:
    """Save a journal; a new one gets its gapless numbering, such as INV/2026/00001."""
    with operation():
        record_save(journal, by=by)
        if not NumberSequence.objects.filter(company=journal.company, code=journal.sequence_code).exists():
            record_save(
                NumberSequence(
                    company=journal.company,
                    code=journal.sequence_code,
                    name=journal.name,
                    pattern=f"{journal.code}/{{year}}/{{number}}",
                ),
                by=by,
            )
    return journal


def _ensure_taxes(company: Company, template: str, by: User, language: str) -> None:
    existing = set(Tax.objects.filter(company=company).values_list("code", flat=True))
    for spec in read_taxes(template):
        if spec.code in existing:
            continue
        tax = record_save(
            Tax(
                company=company, code=spec.code, name=spec.name(language), use=spec.use, rate=spec.rate,
                price_include=spec.price_include, invoice_base_grids=spec.invoice_base_grids,
                refund_base_grids=spec.refund_base_grids,
            ),
            by=by,
        )  # fmt: skip
        TaxDistribution.objects.bulk_create(
            TaxDistribution(
                tax=tax, refund=refund, factor=part.factor, account=account_for_role(company, part.role), grid=part.grid
            )
            for refund, parts in ((False, spec.invoice_distribution), (True, spec.refund_distribution))
            for part in parts
        )


def _ensure_fiscal_positions(company: Company, template: str, by: User, language: str) -> None:
    existing = set(FiscalPosition.objects.filter(company=company).values_list("code", flat=True))
    taxes = {tax.code: tax for tax in Tax.objects.filter(company=company)}
    for spec in read_fiscal_positions(template):
        if spec.code in existing:
            continue
        position = record_save(FiscalPosition(company=company, code=spec.code, name=spec.name(language), kind=spec.kind), by=by)
        TaxMapping.objects.bulk_create(
            TaxMapping(position=position, source=taxes[source], target=taxes.get(target) if target else None)
            for source, target in spec.mappings
        )


def _ensure_settings(company: Company, template: str, by: User) -> None:
    if AccountingSettings.objects.filter(company=company).exists():
        return
    sale_code, purchase_code = DEFAULT_TAX_CODES[template]
    record_save(
        AccountingSettings(
            company=company,
            default_sale_tax=Tax.objects.filter(company=company, code=sale_code).first(),
            default_purchase_tax=Tax.objects.filter(company=company, code=purchase_code).first(),
        ),
        by=by,
    )
