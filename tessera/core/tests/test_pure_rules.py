"""Pure rules: money rounding, unit conversion, payment terms, number patterns, identifiers."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tessera.core.errors import UomConversionError
from tessera.core.identifiers import normalize_barcode, normalize_bic, normalize_iban, normalize_vat
from tessera.core.money import round_amount, round_to
from tessera.core.numbering import PatternError, check_pattern, format_number
from tessera.core.payment_terms import BALANCE, PERCENT, Instalment, InstalmentError, check_instalments, due_schedule
from tessera.core.uom import convert_quantity, round_quantity

EUR = SimpleNamespace(minor_unit=2)
JPY = SimpleNamespace(minor_unit=0)
KWD = SimpleNamespace(minor_unit=3)


def unit(name, category, ratio, rounding):
    return SimpleNamespace(
        name=name, category_id=category, ratio=Decimal(ratio), rounding=Decimal(rounding), __str__=lambda: name
    )


UNIT = unit("Unit", 1, "1", "1")
DOZEN = unit("Dozen", 1, "12", "1")
KG = unit("kg", 2, "1", "0.001")
GRAM = unit("g", 2, "0.001", "0.1")


class TestMoney:
    def test_half_up_not_half_even(self):
        assert round_amount(Decimal("2.675"), EUR) == Decimal("2.68")
        assert round_amount(Decimal("0.125"), EUR) == Decimal("0.13")
        assert round_amount(Decimal("-0.125"), EUR) == Decimal("-0.13")
        assert round_amount(Decimal("1.5"), JPY) == Decimal("2")
        assert round_amount(Decimal("2.5"), JPY) == Decimal("3")
        assert round_amount(Decimal("1.0005"), KWD) == Decimal("1.001")

    def test_floats_are_refused(self):
        with pytest.raises(TypeError):
            round_amount(2.675, EUR)

    @given(st.decimals(min_value=-(10**12), max_value=10**12, allow_nan=False, places=6))
    def test_rounding_error_is_at_most_half_a_cent(self, value):
        rounded = round_to(value, 2)
        assert abs(rounded - value) <= Decimal("0.005")
        assert rounded.as_tuple().exponent == -2


class TestUnits:
    def test_dozen_to_units_and_back(self):
        assert convert_quantity(Decimal("2"), DOZEN, UNIT) == Decimal("24")
        assert convert_quantity(Decimal("30"), UNIT, DOZEN) == Decimal("3")  # 2.5 dozen rounds half up to 3
        assert convert_quantity(Decimal("30"), UNIT, DOZEN, rounded=False) == Decimal("2.5")

    def test_grams_to_kilograms(self):
        assert convert_quantity(Decimal("1250"), GRAM, KG) == Decimal("1.250")
        assert convert_quantity(Decimal("0.0004"), KG, GRAM) == Decimal("0.4")

    def test_units_of_different_categories_do_not_convert(self):
        with pytest.raises(UomConversionError) as error:
            convert_quantity(Decimal("1"), KG, UNIT)
        assert error.value.code == "uom_conversion"

    def test_round_quantity_to_the_step(self):
        assert round_quantity(Decimal("0.5"), UNIT) == Decimal("1")
        assert round_quantity(Decimal("0.49"), UNIT) == Decimal("0")
        assert round_quantity(Decimal("1.23456"), KG) == Decimal("1.235")

    @given(st.decimals(min_value=0, max_value=10**9, allow_nan=False, places=3))
    def test_round_trip_through_a_finer_unit_is_exact(self, kilograms):
        grams = convert_quantity(kilograms, KG, GRAM, rounded=False)
        assert convert_quantity(grams, GRAM, KG) == round_quantity(kilograms, KG)


class TestPaymentTerms:
    def test_thirty_percent_now_balance_in_sixty_days(self):
        terms = [Instalment(PERCENT, Decimal("30"), 0), Instalment(BALANCE, days=60)]
        schedule = due_schedule(Decimal("1000.01"), datetime.date(2026, 1, 31), terms, 2)
        assert schedule == [(datetime.date(2026, 1, 31), Decimal("300.00")), (datetime.date(2026, 4, 1), Decimal("700.01"))]

    def test_end_of_month(self):
        term = Instalment(BALANCE, days=30, end_of_month=True)
        assert term.due_date(datetime.date(2026, 1, 15)) == datetime.date(2026, 2, 28)
        assert term.due_date(datetime.date(2028, 1, 31)) == datetime.date(2028, 3, 31)

    def test_three_thirds_sum_to_the_total(self):
        terms = [
            Instalment(PERCENT, Decimal("33.3333")),
            Instalment(PERCENT, Decimal("33.3333"), 30),
            Instalment(BALANCE, days=60),
        ]
        schedule = due_schedule(Decimal("100.00"), datetime.date(2026, 3, 1), terms, 2)
        assert [amount for _day, amount in schedule] == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]

    @pytest.mark.parametrize(
        ("terms", "message"),
        [
            ([], "The last instalment must be the balance."),
            ([Instalment(PERCENT, Decimal("50"))], "The last instalment must be the balance."),
            ([Instalment(BALANCE), Instalment(BALANCE)], "Only the last instalment can be the balance."),
            ([Instalment(PERCENT, Decimal("0")), Instalment(BALANCE)], "Each percentage must be more than 0 and at most 100."),
            ([Instalment(PERCENT, Decimal("60")), Instalment(PERCENT, Decimal("40")), Instalment(BALANCE)], "nothing is left"),
        ],
    )
    def test_invalid_instalments(self, terms, message):
        with pytest.raises(InstalmentError, match=message):
            check_instalments(terms)


class TestNumbering:
    def test_format(self):
        assert format_number("INV/{year}/{number}", 42, 5, datetime.date(2026, 3, 9)) == "INV/2026/00042"
        assert format_number("{yy}{month}-{number}", 7, 3, datetime.date(2026, 3, 9)) == "2603-007"
        assert format_number("SO{number}", 123456, 3, datetime.date(2026, 3, 9)) == "SO123456"

    @pytest.mark.parametrize(
        ("pattern", "message"),
        [
            ("INV/{year}", "exactly once"),
            ("{number}{number}", "exactly once"),
            ("{number.__class__}", "Unknown field"),
            ("{number:>10}", "without a format"),
            ("{number!r}", "without a format"),
            ("{day}/{number}", "Unknown field {day}"),
            ("{number", "Unbalanced"),
        ],
    )
    def test_invalid_patterns(self, pattern, message):
        with pytest.raises(PatternError, match=message):
            check_pattern(pattern)


class TestIdentifiers:
    def test_vat_numbers_are_normalised_with_their_prefix(self):
        assert normalize_vat("0477.472.701", "BE") == "BE0477472701"
        assert normalize_vat("be 0477 472 701", "BE") == "BE0477472701"
        assert normalize_vat("FR40303265045", "FR") == "FR40303265045"
        assert normalize_vat("NL004495445B01", "NL") == "NL004495445B01"
        assert normalize_vat("DE 136 695 976", "DE") == "DE136695976"
        assert normalize_vat("094259216", "GR") == "EL094259216"

    def test_wrong_vat_numbers(self):
        with pytest.raises(ValueError, match="not a valid VAT number for BE"):
            normalize_vat("BE0477472702", "BE")
        with pytest.raises(ValueError, match="belongs to country FR, not BE"):
            normalize_vat("FR40303265045", "BE")

    def test_ibans_and_bics(self):
        assert normalize_iban("be68 5390 0754 7034") == "BE68539007547034"
        with pytest.raises(ValueError, match="not a valid IBAN"):
            normalize_iban("BE68 5390 0754 7035")
        assert normalize_bic("gebabebb") == "GEBABEBB"
        with pytest.raises(ValueError, match="not a valid BIC"):
            normalize_bic("GEBA")

    def test_barcodes(self):
        assert normalize_barcode("5412345678908") == "5412345678908"
        with pytest.raises(ValueError, match="wrong check digit"):
            normalize_barcode("5412345678901")
        assert normalize_barcode("ABC-123") == "ABC-123"
