"""What `remembered` reads of configuration models is kept across operations until the
configuration version changes, in this process or another one (decision 15)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tessera.core.models import ConfigurationVersion, Currency
from tessera.core.transactions import operation, remembered, remembered_each

pytestmark = pytest.mark.django_db


def euro_symbol() -> str:
    with operation():
        return remembered(Currency, "EUR", lambda: Currency.objects.get(code="EUR")).symbol


def statements(action) -> list[str]:
    """The SELECTs `action` runs (savepoints aside)."""
    with CaptureQueriesContext(connection) as captured:
        action()
    return [query["sql"] for query in captured.captured_queries if query["sql"].startswith("SELECT")]


def another_process_renames_the_euro(symbol: str) -> None:
    """Another process writes the row and gives the configuration a new version, as its save would."""
    Currency.objects.filter(code="EUR").update(symbol=symbol)
    ConfigurationVersion.objects.filter(pk=1).update(token=123456789)


def test_a_configuration_record_is_read_once_per_version():
    assert euro_symbol() == "€"
    second = statements(euro_symbol)
    assert len(second) == 1 and "core_configurationversion" in second[0]  # the version, not the currency


def test_another_process_writing_configuration_makes_every_process_read_again():
    assert euro_symbol() == "€"
    another_process_renames_the_euro("EUR")
    assert euro_symbol() == "EUR"


def test_a_row_changed_without_a_new_version_is_not_seen():
    """Why every write must change the version: the cache trusts it."""
    assert euro_symbol() == "€"
    Currency.objects.filter(code="EUR").update(symbol="EUR")
    assert euro_symbol() == "€"


def test_saving_a_configuration_record_changes_the_version():
    before = ConfigurationVersion.objects.get(pk=1).token
    assert euro_symbol() == "€"
    euro = Currency.objects.get(code="EUR")
    euro.symbol = "EUR"
    euro.save()
    assert ConfigurationVersion.objects.get(pk=1).token != before
    assert euro_symbol() == "EUR"


def test_what_an_operation_reads_after_writing_configuration_is_not_kept():
    """It may be rolled back: the next operation reads the committed row again."""

    def rename_then_fail():
        with operation():
            euro = Currency.objects.get(code="EUR")
            euro.symbol = "XXX"
            euro.save()
            assert remembered(Currency, "EUR", lambda: Currency.objects.get(code="EUR")).symbol == "XXX"
            raise RuntimeError("refused")

    assert euro_symbol() == "€"
    with pytest.raises(RuntimeError):
        rename_then_fail()
    assert euro_symbol() == "€"


def test_many_keys_are_read_together_and_only_the_missing_ones():
    def symbols(codes: list[str]) -> dict[str, str]:
        with operation():
            return remembered_each(
                Currency, "symbol", codes,
                lambda missing: dict(Currency.objects.filter(code__in=missing).values_list("code", "symbol")),
                default="?",
            )  # fmt: skip

    assert symbols(["EUR", "USD", "ZZZ"]) == {"EUR": "€", "USD": "$", "ZZZ": "?"}
    again = statements(lambda: symbols(["EUR", "GBP"]))
    assert len(again) == 2 and "'GBP'" in again[1] and "'EUR'" not in again[1]
    assert symbols(["GBP"]) == {"GBP": "£"}


def test_outside_an_operation_nothing_is_kept():
    read = lambda: remembered(Currency, "EUR", lambda: Currency.objects.get(code="EUR"))  # noqa: E731
    assert len(statements(read)) == 1
    assert len(statements(read)) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rolled_back_version_is_never_taken_for_a_later_one():
    """Tokens are random: a version written by a rolled-back transaction cannot come back."""
    assert euro_symbol() == "€"
    with transaction.atomic():
        euro = Currency.objects.get(code="EUR")
        euro.symbol = "XXX"
        euro.save()
        rolled_back = ConfigurationVersion.objects.get(pk=1).token
        transaction.set_rollback(True)
    assert ConfigurationVersion.objects.get(pk=1).token != rolled_back
    assert euro_symbol() == "€"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_change_committed_by_another_connection_is_seen_by_the_next_operation():
    """Two connections, as two processes: one keeps the euro, the other renames it and commits."""
    import threading

    kept, renamed, seen = threading.Event(), threading.Event(), []

    def reader() -> None:
        try:
            seen.append(euro_symbol())
            seen.append(euro_symbol())  # from what was kept
            kept.set()
            renamed.wait(timeout=30)
            seen.append(euro_symbol())
        finally:
            connection.close()

    thread = threading.Thread(target=reader)
    thread.start()
    assert kept.wait(timeout=30)
    euro = Currency.objects.get(code="EUR")
    euro.symbol = "EUR"
    euro.save()  # committed at once: this connection is in autocommit
    renamed.set()
    thread.join(timeout=30)
    assert seen == ["€", "€", "EUR"]
