"""On PostgreSQL the database itself keeps done moves final, whatever writes to it: a done move and
its done lines are never updated or deleted; stock is corrected by a reverse move."""

from django.db import migrations

GUARDS = """
CREATE FUNCTION inventory_move_is_final() RETURNS trigger AS $$
BEGIN
    IF OLD.state = 'done' THEN
        RAISE EXCEPTION 'stock move %% is done: it cannot be changed or deleted, only reversed', OLD.id USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

-- One function per table: PL/pgSQL resolves OLD's fields when it plans an expression, so a shared
-- function naming inventory_move's columns fails on inventory_moveline's rows and vice versa.
CREATE FUNCTION inventory_moveline_is_final() RETURNS trigger AS $$
BEGIN
    IF OLD.done THEN
        RAISE EXCEPTION 'stock move line %% is done: it cannot be changed or deleted', OLD.id USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER inventory_move_final BEFORE UPDATE OR DELETE ON inventory_move
    FOR EACH ROW EXECUTE FUNCTION inventory_move_is_final();
CREATE TRIGGER inventory_moveline_final BEFORE UPDATE OR DELETE ON inventory_moveline
    FOR EACH ROW EXECUTE FUNCTION inventory_moveline_is_final();
"""

DROP = """
DROP TRIGGER IF EXISTS inventory_move_final ON inventory_move;
DROP TRIGGER IF EXISTS inventory_moveline_final ON inventory_moveline;
DROP FUNCTION IF EXISTS inventory_move_is_final();
DROP FUNCTION IF EXISTS inventory_moveline_is_final();
"""


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARDS)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]
    operations = [migrations.RunPython(guard, unguard)]
