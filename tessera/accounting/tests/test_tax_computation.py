"""Tax computation: excluded and included prices, rounding per line or per document."""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from tessera.accounting.tax_computation import TaxRule, document_taxes, gross_amount, line_taxes

VAT21 = TaxRule(1, D("21"))
VAT6 = TaxRule(2, D("6"))
VAT21_INCLUDED = TaxRule(3, D("21"), price_include=True)


def test_a_line_with_a_discount():
    gross = gross_amount(D("19.99"), D("3"), D("10"))
    assert gross == D("53.973")
    line = line_taxes(gross, [VAT21], 2)
    assert (line.base, line.taxes, line.total) == (D("53.97"), {1: D("11.33")}, D("65.30"))


def test_rounding_per_line_or_per_document_differs_by_design():
    lines = [(D("0.33"), [VAT21])] * 3  # each line: tax 0.0693
    per_line = document_taxes(lines, 2, per_line=True)
    per_document = document_taxes(lines, 2, per_line=False)
    assert (per_line.untaxed, per_line.taxes, per_line.total) == (D("0.99"), {1: D("0.21")}, D("1.20"))
    assert (per_document.untaxed, per_document.taxes, per_document.total) == (D("0.99"), {1: D("0.21")}, D("1.20"))
    lines = [(D("0.05"), [VAT21])] * 10  # each line: tax 0.0105, rounded 0.01
    assert document_taxes(lines, 2, per_line=True).taxes == {1: D("0.10")}
    assert document_taxes(lines, 2, per_line=False).taxes == {1: D("0.11")}


def test_an_included_price_is_what_the_customer_pays():
    line = line_taxes(D("10.00"), [VAT21_INCLUDED], 2)
    assert (line.base, line.taxes[3], line.total) == (D("8.26"), D("1.74"), D("10.00"))


def test_included_prices_rounded_per_document_post_a_rounding_difference():
    lines = [(D("1.00"), [VAT21_INCLUDED])] * 3  # base 0.826446… each, tax 0.173553… each
    per_line = document_taxes(lines, 2, per_line=True)
    assert (per_line.untaxed, per_line.tax, per_line.rounding, per_line.total) == (D("2.49"), D("0.51"), D("0"), D("3.00"))
    per_document = document_taxes(lines, 2, per_line=False)
    assert (per_document.untaxed, per_document.tax) == (D("2.49"), D("0.52"))
    assert per_document.rounding == D("-0.01") and per_document.total == D("3.00")


def test_two_taxes_on_one_line_are_both_on_the_base():
    line = line_taxes(D("100"), [VAT21, VAT6], 2)
    assert line.taxes == {1: D("21.00"), 2: D("6.00")} and line.total == D("127.00")


def test_zero_decimal_currencies():
    line = line_taxes(D("1005"), [VAT21], 0)
    assert (line.base, line.taxes[1], line.total) == (D("1005"), D("211"), D("1216"))


amounts = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False)


@given(st.lists(amounts, min_size=1, max_size=20), st.booleans(), st.booleans())
def test_the_document_always_adds_up(grosses, included, per_line):
    rule = VAT21_INCLUDED if included else VAT21
    document = document_taxes([(gross, [rule]) for gross in grosses], 2, per_line=per_line)
    assert document.total == document.untaxed + document.tax + document.rounding
    if included:  # the customer pays the prices as shown
        assert document.total == sum(grosses, D(0))
    else:
        assert document.rounding == 0
    assert abs(document.tax - sum(grosses, D(0)) * 21 / (121 if included else 100)) <= D("0.01") * len(grosses)
