from django.db import migrations

from tessera.core.roles import ALL, READ, WRITE, grant

LEDGER_READ = {
    "accounting.account": READ, "accounting.journal": READ, "accounting.accountrole": READ, "accounting.fiscalyear": READ,
    "accounting.period": READ, "accounting.journalentry": READ, "accounting.journalline": READ,
    "accounting.accountingsettings": READ, "accounting.tax": READ, "accounting.fiscalposition": READ,
    "accounting.invoice": READ, "accounting.producttaxes": READ, "accounting.payment": READ, "accounting.matching": READ,
    "accounting.bankstatement": READ, "accounting.bankstatementline": READ,
}  # fmt: skip

MATRIX = {
    "Accounting / User": {
        **LEDGER_READ,
        "accounting.journalentry": ALL,
        "accounting.invoice": ALL,
        "accounting.payment": WRITE,
        "accounting.matching": ("view", "add", "delete"),
        "accounting.bankstatement": ("view", "add"),
    },
    "Accounting / Manager": {
        **LEDGER_READ,
        "accounting.account": ALL,
        "accounting.journal": ALL,
        "accounting.accountrole": ALL,
        "accounting.fiscalyear": ("view", "change"),
        "accounting.journalentry": (*ALL, "post"),
        "accounting.accountingsettings": ("view", "change"),
        "accounting.tax": ALL,
        "accounting.fiscalposition": ALL,
        "accounting.invoice": (*ALL, "post"),
        "accounting.producttaxes": ALL,
        "accounting.payment": ALL,
        "accounting.matching": ("view", "add", "delete"),
        "accounting.bankstatement": ("view", "add"),
    },
    "Auditor": LEDGER_READ,
}


def create_roles(apps, schema_editor):
    grant(apps, MATRIX)


class Migration(migrations.Migration):
    dependencies = [("accounting", "0002_ledger_guards"), ("core", "0003_roles")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
