"""On PostgreSQL the database itself keeps done moves final, whatever writes to it: a done move and
its done lines are never updated or deleted; stock is corrected by a reverse move."""

from django.db import migrations

GUARDS = """
CREATE FUNCTION inventory_done_is_final() RETURNS trigger AS $$
BEGIN
    IF TG_TABLE_NAME = 'inventory_move' AND OLD.state = 'done' THEN
        RAISE EXCEPTION 'stock move %% is done: it cannot be changed or deleted, only reversed', OLD.id USING ERRCODE = 'check_violation';
    ELSIF TG_TABLE_NAME = 'inventory_moveline' AND OLD.done THEN
        RAISE EXCEPTION 'stock move line %% is done: it cannot be changed or deleted', OLD.id USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER inventory_move_final BEFORE UPDATE OR DELETE ON inventory_move
    FOR EACH ROW EXECUTE FUNCTION inventory_done_is_final();
CREATE TRIGGER inventory_moveline_final BEFORE UPDATE OR DELETE ON inventory_moveline
    FOR EACH ROW EXECUTE FUNCTION inventory_done_is_final();
"""

DROP = """
DROP TRIGGER IF EXISTS inventory_move_final ON inventory_move;
DROP TRIGGER IF EXISTS inventory_moveline_final ON inventory_moveline;
DROP FUNCTION IF EXISTS inventory_done_is_final();
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
