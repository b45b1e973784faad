"""The database keeps the quantity ledger sound whatever writes to it: on PostgreSQL a done move and its
done lines are never updated or deleted (migration 0002), and everywhere the CHECK constraints refuse
reserving more than is on hand or negative quantities on moves and lines."""

from decimal import Decimal as D

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from tessera.inventory.models import Move, MoveLine, Quant
from tessera.inventory.states import MoveState

from .stockbook import deliver, receive

MOVE_FINAL = r"stock move {id} is done: it cannot be changed or deleted, only reversed"
LINE_FINAL = r"stock move line {id} is done: it cannot be changed or deleted"


@pytest.fixture
def done_move(company, warehouse, keeper, chair):
    return receive(company, warehouse, keeper, chair, 5, 40).moves.get()


def run_sql(statement: str, *params) -> None:
    with transaction.atomic(), connection.cursor() as cursor:  # a savepoint: the test goes on after a refusal
        cursor.execute(statement, params)


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("UPDATE inventory_move SET quantity = 50, product_quantity = 50 WHERE id = %s", MOVE_FINAL),
        ("UPDATE inventory_move SET state = 'cancelled' WHERE id = %s", MOVE_FINAL),
        ("DELETE FROM inventory_move WHERE id = %s", MOVE_FINAL),
    ],
)
def test_a_done_move_cannot_be_updated_or_deleted_by_sql(done_move, statement, message):
    with pytest.raises(DatabaseError, match=message.format(id=done_move.pk)):
        run_sql(statement, done_move.pk)
    done_move.refresh_from_db()
    assert (done_move.state, done_move.quantity, done_move.product_quantity) == (MoveState.DONE, D(5), D(5))


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    ["UPDATE inventory_moveline SET quantity = 50 WHERE id = %s", "DELETE FROM inventory_moveline WHERE id = %s"],
)
def test_a_done_move_line_cannot_be_updated_or_deleted_by_sql(done_move, statement):
    line = done_move.lines.get()
    with pytest.raises(DatabaseError, match=LINE_FINAL.format(id=line.pk)):
        run_sql(statement, line.pk)
    assert list(MoveLine.objects.filter(pk=line.pk).values_list("quantity", "done")) == [(D(5), True)]


@pytest.mark.postgres
def test_an_open_move_and_its_reserved_lines_can_still_change(company, warehouse, keeper, chair, done_move):
    move = deliver(company, warehouse, keeper, chair, 2).moves.get()
    line = move.lines.get()
    run_sql("UPDATE inventory_move SET reference = 'edited' WHERE id = %s", move.pk)
    run_sql("UPDATE inventory_moveline SET reserved_quantity = 1 WHERE id = %s", line.pk)
    assert Move.objects.get(pk=move.pk).reference == "edited"
    assert MoveLine.objects.get(pk=line.pk).reserved_quantity == D(1)


def test_nothing_can_be_reserved_beyond_what_is_on_hand(company, warehouse, stock, keeper, chair, done_move):
    quant = Quant.objects.get(product=chair, location=stock)
    for reserved in (D(6), D(-1)):
        with pytest.raises(IntegrityError), transaction.atomic():
            Quant.objects.filter(pk=quant.pk).update(reserved_quantity=reserved)
    Quant.objects.filter(pk=quant.pk).update(reserved_quantity=D(5))  # all of it: allowed
    assert Quant.objects.get(pk=quant.pk).reserved_quantity == D(5)


def test_moves_and_lines_refuse_negative_quantities(company, warehouse, keeper, chair, done_move):
    move = deliver(company, warehouse, keeper, chair, 2).moves.get()
    for model, pk, values in (
        (Move, move.pk, {"quantity": D(0)}),
        (Move, move.pk, {"reserved_quantity": D(-1)}),
        (MoveLine, move.lines.get().pk, {"reserved_quantity": D(-1)}),
        (MoveLine, move.lines.get().pk, {"quantity": D(-1)}),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            model.objects.filter(pk=pk).update(**values)
