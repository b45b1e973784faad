"""On PostgreSQL the database itself keeps the ledger sound, whatever writes to it:

- a posted entry balances (debits equal credits and are not zero), checked at commit by a deferred
  constraint trigger, so the lines of an entry can be written one by one inside a transaction;
- a posted entry and its lines are never updated or deleted, and no line is added to a posted entry.
"""

from django.db import migrations

GUARDS = """
CREATE FUNCTION accounting_entry_balanced() RETURNS trigger AS $$
DECLARE
    entry bigint;
    entry_state varchar;
    total_debit numeric;
    total_credit numeric;
BEGIN
    IF TG_TABLE_NAME = 'accounting_journalentry' THEN
        entry := NEW.id;
    ELSIF TG_OP = 'DELETE' THEN
        entry := OLD.entry_id;
    ELSE
        entry := NEW.entry_id;
    END IF;
    SELECT state INTO entry_state FROM accounting_journalentry WHERE id = entry;
    IF entry_state = 'posted' THEN
        SELECT COALESCE(SUM(debit), 0), COALESCE(SUM(credit), 0) INTO total_debit, total_credit
            FROM accounting_journalline WHERE entry_id = entry;
        IF total_debit <> total_credit THEN
            RAISE EXCEPTION 'journal entry %% is not balanced: debit %% and credit %%', entry, total_debit, total_credit USING ERRCODE = 'check_violation';
        END IF;
        IF total_debit = 0 THEN
            RAISE EXCEPTION 'journal entry %% is posted without any amount', entry USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER accounting_journalline_balanced
    AFTER INSERT OR UPDATE OR DELETE ON accounting_journalline
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION accounting_entry_balanced();
CREATE CONSTRAINT TRIGGER accounting_journalentry_balanced
    AFTER INSERT OR UPDATE ON accounting_journalentry
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION accounting_entry_balanced();

CREATE FUNCTION accounting_posted_is_final() RETURNS trigger AS $$
BEGIN
    IF TG_TABLE_NAME = 'accounting_journalentry' THEN
        IF OLD.state = 'posted' THEN
            RAISE EXCEPTION 'journal entry %% is posted: it cannot be changed or deleted, only reversed', OLD.id USING ERRCODE = 'check_violation';
        END IF;
    ELSIF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM accounting_journalentry WHERE id = NEW.entry_id AND state = 'posted') THEN
            RAISE EXCEPTION 'journal entry %% is posted: no line can be added to it', NEW.entry_id USING ERRCODE = 'check_violation';
        END IF;
    ELSIF OLD.posted OR EXISTS (SELECT 1 FROM accounting_journalentry WHERE id = OLD.entry_id AND state = 'posted') THEN
        RAISE EXCEPTION 'journal line %% is posted: it cannot be changed or deleted', OLD.id USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER accounting_journalentry_final BEFORE UPDATE OR DELETE ON accounting_journalentry
    FOR EACH ROW EXECUTE FUNCTION accounting_posted_is_final();
CREATE TRIGGER accounting_journalline_final BEFORE INSERT OR UPDATE OR DELETE ON accounting_journalline
    FOR EACH ROW EXECUTE FUNCTION accounting_posted_is_final();
"""

DROP = """
DROP TRIGGER IF EXISTS accounting_journalentry_final ON accounting_journalentry;
DROP TRIGGER IF EXISTS accounting_journalline_final ON accounting_journalline;
DROP FUNCTION IF EXISTS accounting_posted_is_final();
DROP TRIGGER IF EXISTS accounting_journalentry_balanced ON accounting_journalentry;
DROP TRIGGER IF EXISTS accounting_journalline_balanced ON accounting_journalline;
DROP FUNCTION IF EXISTS accounting_entry_balanced();
"""


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARDS)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("accounting", "0001_initial")]
    operations = [migrations.RunPython(guard, unguard)]
