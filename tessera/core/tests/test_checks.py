"""Check constraints decided in Python (core.checks) agree with the database's own decision."""

import itertools
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import F, Q
from django.test.utils import CaptureQueriesContext

from tessera.core.checks import check_holds
from tessera.core.models import Uom

CONDITIONS = [
    Q(ratio__gt=0),
    Q(rounding__gte=Decimal("0.01")) & Q(rounding__lte=1),
    Q(is_reference=False) | Q(ratio=1),
    ~Q(ratio=1),
    Q(ratio__lt=F("rounding")),
    Q(ratio__isnull=True) ^ Q(rounding__isnull=True),
    Q(ratio__isnull=True) | ~(Q(ratio__gte=2) & Q(is_reference=True)),
    Q(ratio__in=[Decimal(1), Decimal(2)]) & ~Q(rounding__in=(Decimal(0),)),
]
VALUES = [None, Decimal(-1), Decimal(0), Decimal("0.01"), Decimal(1), Decimal(2)]


@pytest.mark.django_db
def test_python_decides_as_the_database_does():
    decided = 0
    for ratio, rounding, is_reference in itertools.product(VALUES, VALUES, (True, False)):
        unit = Uom(ratio=ratio, rounding=rounding, is_reference=is_reference)
        against = unit._get_field_expression_map(meta=Uom._meta)
        for condition in CONDITIONS:
            assert check_holds(condition, unit, set()) == condition.check(against), (condition, ratio, rounding, is_reference)
            decided += 1
    assert decided == 6 * 6 * 2 * len(CONDITIONS)


def test_an_excluded_field_holds_and_an_unreadable_condition_is_left_to_django():
    unit = Uom(ratio=Decimal(-1), rounding=Decimal(1))
    assert check_holds(Q(ratio__gt=0), unit, set()) is False
    assert check_holds(Q(ratio__gt=0), unit, {"ratio"}) is True
    assert check_holds(Q(name__startswith="k"), unit, set()) is None
    assert check_holds(Q(category__name="Weight"), unit, set()) is None


def test_every_check_constraint_of_tessera_is_decided_in_python():
    undecided = [
        f"{model._meta.label}.{constraint.name}"
        for model in apps.get_models()
        if model.__module__.startswith("tessera.")
        for constraint in model._meta.constraints
        if isinstance(constraint, models.CheckConstraint) and check_holds(constraint.condition, model(), set()) is None
    ]
    assert undecided == []


@pytest.mark.django_db
def test_full_clean_asks_the_database_only_about_a_violated_check(company):
    unit = Uom.objects.filter(is_reference=False).select_related("category").first()
    with CaptureQueriesContext(connection) as captured:
        unit.full_clean()
    assert [query["sql"] for query in captured if "_check" in query["sql"]] == []
    unit.rounding = Decimal(0)
    with pytest.raises(ValidationError) as raised, CaptureQueriesContext(connection) as captured:
        unit.validate_constraints()
    assert raised.value.messages == ["Constraint “uom_rounding_positive” is violated."]
    assert len([query for query in captured if "_check" in query["sql"]]) == 1


@pytest.mark.django_db
def test_a_partial_unique_constraint_is_checked_only_for_records_it_covers(company):
    unit = Uom.objects.filter(is_reference=True).select_related("category").first()
    twin = Uom(name=f"{unit.name} bis", category=unit.category, ratio=Decimal(1), rounding=unit.rounding, is_reference=True)
    with pytest.raises(ValidationError) as raised:
        twin.full_clean()
    assert raised.value.messages == ["This category already has a reference unit."]
    twin.is_reference, twin.ratio = False, Decimal(2)
    with CaptureQueriesContext(connection) as captured:
        twin.full_clean(exclude={"name"})
    assert [query["sql"] for query in captured] == []
