import datetime
import threading

import pytest
from django.db import connection, transaction

from tessera.core.errors import BusinessError
from tessera.core.models import SequenceCounter, SequenceReset
from tessera.core.services import sequence_next_number

from .factories import CompanyFactory, SequenceFactory

DAY = datetime.date(2026, 5, 4)


@pytest.fixture
def sequence(db):
    return SequenceFactory(company=CompanyFactory(name="Numbering NV"))


def test_numbers_follow_each_other(sequence):
    numbers = [sequence_next_number(sequence.company, "sales.invoice", on=DAY) for _ in range(3)]
    assert numbers == ["INV/2026/00001", "INV/2026/00002", "INV/2026/00003"]


def test_yearly_sequences_restart_each_year(sequence):
    assert sequence_next_number(sequence.company, "sales.invoice", on=DAY) == "INV/2026/00001"
    assert sequence_next_number(sequence.company, "sales.invoice", on=datetime.date(2027, 1, 1)) == "INV/2027/00001"
    assert sequence_next_number(sequence.company, "sales.invoice", on=DAY) == "INV/2026/00002"


def test_a_sequence_that_never_restarts(sequence):
    sequence.reset = SequenceReset.NEVER
    sequence.pattern = "C{number}"
    sequence.padding = 4
    sequence.save()
    assert sequence_next_number(sequence.company, "sales.invoice", on=DAY) == "C0001"
    assert sequence_next_number(sequence.company, "sales.invoice", on=datetime.date(2030, 1, 1)) == "C0002"


def test_each_company_has_its_own_numbers(sequence):
    other = SequenceFactory(company=CompanyFactory(name="Other NV"))
    assert sequence_next_number(sequence.company, "sales.invoice", on=DAY) == "INV/2026/00001"
    assert sequence_next_number(other.company, "sales.invoice", on=DAY) == "INV/2026/00001"


def test_a_rolled_back_document_gives_its_number_back(sequence):
    with pytest.raises(RuntimeError), transaction.atomic():
        assert sequence_next_number(sequence.company, "sales.invoice", on=DAY) == "INV/2026/00001"
        raise RuntimeError("the invoice failed to save")
    assert sequence_next_number(sequence.company, "sales.invoice", on=DAY) == "INV/2026/00001"


def test_an_unknown_document_type_is_a_clear_error(sequence):
    with pytest.raises(BusinessError, match=r"No sequence numbers sales\.order documents") as error:
        sequence_next_number(sequence.company, "sales.order", on=DAY)
    assert error.value.code == "missing_sequence"


@pytest.mark.postgres
# Serialized rollback like every committing test: a plain transactional test's flush recreates the
# content types under new ids, which the next serialized-rollback test then cannot restore.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_threads_get_twenty_distinct_gapless_numbers():
    sequence = SequenceFactory(company=CompanyFactory(name="Concurrent NV"))
    numbers: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(20)
    lock = threading.Lock()

    def draw() -> None:
        try:
            start.wait()
            with transaction.atomic():
                number = sequence_next_number(sequence.company, "sales.invoice", on=DAY)
            with lock:
                numbers.append(number)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=draw) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == [f"INV/2026/{n:05d}" for n in range(1, 21)]
    assert SequenceCounter.objects.get(sequence=sequence, period=2026).last_number == 20
