"""Core business operations: saving and deleting master data with its audit trail, numbering,
company switching and API tokens. The back office, the API and commands all call these."""

import datetime
from collections.abc import Iterable, Mapping
from collections.abc import Sequence as SequenceOf
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, models, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from . import audit, hooks
from .errors import BusinessError, InvalidInput, NotAllowed
from .models import (
    ApiToken,
    AuditAction,
    AuditedModel,
    Company,
    CompanyOwned,
    PaymentTerm,
    PaymentTermLine,
    ProductCategory,
    Sequence,
    SequenceCounter,
    SequenceReset,
    User,
    hash_token,
)
from .models.product import FULL_NAME_LENGTH
from .numbering import format_number
from .payment_terms import Instalment, InstalmentError, check_instalments
from .scoping import is_company_allowed
from .transactions import forget, operation

M = TypeVar("M", bound=AuditedModel)


SYSTEM_USERNAME = "system"


def system_user() -> User:
    """The actor of work no person started (demo data, scheduled tasks). It cannot sign in."""
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"is_superuser": True, "is_staff": False, "first_name": "Tessera", "last_name": "System"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def invalid_input_from(exc: ValidationError) -> InvalidInput:
    """A Django ValidationError as the InvalidInput a service raises, keeping field messages."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    first = next(iter(errors.values()))[0]
    return InvalidInput(first, errors=errors)


def require_permission(by: User, model: type[models.Model], action: str) -> None:
    """The actor needs the model permission for the action (add, change, delete, view)."""
    opts = model._meta
    if not by.has_perm(f"{opts.app_label}.{action}_{opts.model_name}"):
        raise NotAllowed(
            _("You are not allowed to %(action)s %(things)s.") % {"action": _(action), "things": opts.verbose_name_plural}
        )


def require_company(by: User, record: models.Model) -> None:
    """A record of a company (or an existing company itself) is only touched from inside it."""
    company = record.company_id if isinstance(record, CompanyOwned) else record.pk if isinstance(record, Company) else None
    if company is not None and not is_company_allowed(by, company):
        raise NotAllowed(_("You do not have access to this company."))


def record_save(
    record: M,
    *,
    by: User,
    m2m: Mapping[str, Iterable[models.Model]] | None = None,
    extra_changes: Mapping[str, dict[str, Any]] | None = None,
) -> M:
    """Validate and save a record (and its many-to-many fields), and audit what changed.

    `extra_changes` are changes the caller made beside the record (its lines), recorded in the
    same audit entry."""
    created = record._state.adding
    require_permission(by, type(record), "add" if created else "change")
    require_company(by, record)
    m2m = dict(m2m or {})
    try:
        record.full_clean()
    except ValidationError as exc:
        raise invalid_input_from(exc) from None
    try:
        with operation():
            record.save()
            forget(type(record))
            changes = audit.field_changes(record, created=created)
            changes.update(_save_many_to_many(record, m2m))
            changes.update(extra_changes or {})
            if created or changes:
                audit.record_entry(record, AuditAction.CREATE if created else AuditAction.UPDATE, by=by, changes=changes)
    except IntegrityError:
        record._state.adding = created
        raise InvalidInput(
            _("This %(thing)s conflicts with another one saved at the same time. Check it and save again.")
            % {"thing": record._meta.verbose_name}
        ) from None
    record.remember_saved_values()
    return record


def _save_many_to_many(record: AuditedModel, m2m: Mapping[str, Iterable[models.Model]]) -> dict:
    changes = {}
    for name, values in m2m.items():
        manager = getattr(record, name)
        values = list(values)
        old = set(manager.values_list("pk", flat=True))
        new = {value.pk for value in values}
        if old == new:
            continue
        labels = {value.pk: str(value) for value in values}
        labels.update({obj.pk: str(obj) for obj in manager.model._default_manager.filter(pk__in=old - new)})
        manager.set(values)
        changes[name] = audit.many_to_many_change(old, new, labels)
    return changes


def record_delete(record: AuditedModel, *, by: User) -> None:
    """Delete a record and what it owns; audit each of them. Records in use are refused."""
    require_permission(by, type(record), "delete")
    require_company(by, record)
    collector = Collector(using=DEFAULT_DB_ALIAS, origin=record)
    try:
        collector.collect([record])
    except ProtectedError as exc:
        raise _in_use(record, exc.protected_objects) from None
    except RestrictedError as exc:
        raise _in_use(record, exc.restricted_objects) from None
    with operation():
        for model, instances in collector.data.items():
            if issubclass(model, AuditedModel):
                for instance in instances:
                    audit.record_entry(instance, AuditAction.DELETE, by=by, changes=audit.snapshot(instance))
        for queryset in collector.fast_deletes:
            if issubclass(queryset.model, AuditedModel):
                for instance in queryset:
                    audit.record_entry(instance, AuditAction.DELETE, by=by, changes=audit.snapshot(instance))
        collector.delete()


def _in_use(record: models.Model, users: Iterable[models.Model]) -> BusinessError:
    kinds = sorted({str(user._meta.verbose_name_plural) for user in users})
    return BusinessError(
        _("%(record)s is used by %(users)s and cannot be deleted. Archive it instead.")
        % {"record": record, "users": ", ".join(kinds)},
        code="in_use",
    )


def company_create(company: Company, *, by: User) -> Company:
    """Create a company; its creator may open it at once. Every module then sets it up (chart of
    accounts, journals…) as the system user: the creator need not have each module's permissions."""
    with operation():
        record_save(company, by=by)
        if not by.is_superuser:
            by.companies.add(company)
        hooks.run_company_setup(company, system_user())
    return company


def user_switch_company(user: User, company: Company, *, by: User) -> User:
    """Make `company` the one the user works in. Users switch their own company only."""
    if by.pk != user.pk:
        raise NotAllowed(_("You can only switch your own current company."))
    if not is_company_allowed(user, company):
        raise InvalidInput(_("You do not have access to %(company)s.") % {"company": company}, field="current_company")
    with operation():
        User.objects.filter(pk=user.pk).update(current_company=company)
    user.current_company = company
    return user


def product_category_save(category: ProductCategory, *, by: User) -> ProductCategory:
    """Save a category and, when its path changed, the paths of every category below it."""
    with operation():
        old_path = category.loaded_values().get("full_name")
        record_save(category, by=by)
        if old_path and old_path != category.full_name:
            _rename_descendants(category)
    return category


def _rename_descendants(category: ProductCategory) -> None:
    for child in ProductCategory.objects.filter(parent=category).select_for_update():
        child.parent = category
        child.full_name = child.path_name()
        if len(child.full_name) > FULL_NAME_LENGTH:
            raise InvalidInput(
                _("The path of %(category)s would become too long (%(count)d characters at most).")
                % {"category": child.name, "count": FULL_NAME_LENGTH},
                field="name",
            )
        ProductCategory.objects.filter(pk=child.pk).update(full_name=child.full_name)
        _rename_descendants(child)


def payment_term_save(term: PaymentTerm, instalments: SequenceOf[Instalment], *, by: User) -> PaymentTerm:
    """Save a payment term with its instalments (replacing the previous ones), audited as one change."""
    try:
        check_instalments(instalments)
    except InstalmentError as exc:
        raise InvalidInput(str(exc), field="lines") from None
    with operation():
        old = [] if term._state.adding else [line.as_instalment() for line in term.lines.all()]
        new = list(instalments)
        lines_change = {} if old == new else {"lines": {"old": [str(i) for i in old], "new": [str(i) for i in new]}}
        record_save(term, by=by, extra_changes=lines_change)
        if lines_change:
            term.lines.all().delete()
            PaymentTermLine.objects.bulk_create(
                PaymentTermLine(
                    term=term, position=position, kind=i.kind, percent=i.percent, days=i.days, end_of_month=i.end_of_month
                )
                for position, i in enumerate(new)
            )
    return term


def sequences_ensure(company: Company, sequences: Iterable[tuple[str, Any, str]], *, by: User) -> None:
    """For a module's company set-up: the numbering of its documents, (code, name, pattern) each,
    created where the company has none of that code yet."""
    existing = set(Sequence.objects.filter(company=company).values_list("code", flat=True))
    for code, name, pattern in sequences:
        if code not in existing:
            record_save(Sequence(company=company, code=code, name=str(name), pattern=pattern), by=by)


def sequence_next_number(company: Company, code: str, *, on: datetime.date) -> str:
    """Draw the next number of a document type, gaplessly.

    Call it inside the transaction that saves the numbered document: the counter row stays locked
    until that transaction ends, so concurrent callers wait, and a rollback gives the number back.
    """
    drawn = _counter_increment(company, code, on.year)
    if drawn is None:  # the first number of the period, or no such sequence
        try:
            sequence = Sequence.objects.get(company=company, code=code)
        except Sequence.DoesNotExist:
            raise BusinessError(
                _("No sequence numbers %(code)s documents in %(company)s. Create one under Settings > Sequences.")
                % {"code": code, "company": company},
                code="missing_sequence",
            ) from None
        with transaction.atomic():  # a savepoint: a concurrent first number of the period may create it too
            SequenceCounter.objects.get_or_create(sequence=sequence, period=_numbering_period(sequence.reset, on.year))
        drawn = _counter_increment(company, code, on.year)
    number, pattern, padding = drawn
    return format_number(pattern, number, padding, on)


def _numbering_period(reset: str, year: int) -> int:
    return year if reset == SequenceReset.YEARLY else 0


def _counter_increment(company: Company, code: str, year: int) -> tuple[int, str, int] | None:
    """The next number of the sequence's counter for the period of `year`, with the sequence's
    pattern and padding, in one statement; None when the period has no counter yet. The UPDATE locks
    the counter row until the caller's transaction ends."""
    quote = connection.ops.quote_name
    counters, sequences = quote(SequenceCounter._meta.db_table), quote(Sequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {counters} SET last_number = last_number + 1 WHERE (sequence_id, period) = "
            f"(SELECT id, CASE WHEN reset = %s THEN %s ELSE 0 END FROM {sequences} WHERE company_id = %s AND code = %s) "
            f"RETURNING last_number, (SELECT pattern FROM {sequences} WHERE id = sequence_id), "
            f"(SELECT padding FROM {sequences} WHERE id = sequence_id)",
            [SequenceReset.YEARLY.value, year, company.pk, code],
        )
        return cursor.fetchone()


def api_token_create(user: User, *, name: str = "", by: User) -> tuple[ApiToken, str]:
    """Issue a personal API token. Returns the token and its key, which is shown only now."""
    if by.pk != user.pk and not by.is_superuser:
        raise NotAllowed(_("You can only create tokens for yourself."))
    if not user.is_active:
        raise NotAllowed(_("This account is disabled."))
    key = ApiToken.new_key()
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=key[:8], key_hash=hash_token(key))
    return token, key


def api_token_revoke(token: ApiToken, *, by: User) -> None:
    if token.user_id != by.pk and not by.is_superuser:
        raise NotAllowed(_("You can only revoke your own tokens."))
    token.delete()
