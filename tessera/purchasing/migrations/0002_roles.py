from django.db import migrations

from tessera.core.roles import ALL, READ, WRITE, grant

PURCHASING_READ = {
    "purchasing.purchaseorder": READ,
    "purchasing.purchaseorderline": READ,
    "purchasing.supplierprice": READ,
    "purchasing.billmatch": READ,
    "purchasing.billmatchline": READ,
    "purchasing.purchasesettings": READ,
    "purchasing.paymentrun": READ,
    "purchasing.paymentrunline": READ,
    "purchasing.landedcost": READ,
}

MATRIX = {
    "Purchasing / User": {
        **PURCHASING_READ,
        "purchasing.purchaseorder": WRITE, "purchasing.purchaseorderline": WRITE, "purchasing.supplierprice": WRITE,
        "accounting.invoice": ("view", "add", "change"), "inventory.transfer": WRITE, "inventory.quant": READ,
        "inventory.procurementneed": WRITE, "core.partner": WRITE,
    },
    "Purchasing / Manager": {
        "purchasing.purchaseorder": (*ALL, "approve"), "purchasing.purchaseorderline": ALL, "purchasing.supplierprice": ALL,
        "purchasing.billmatch": (*READ, "accept"), "purchasing.billmatchline": READ, "purchasing.purchasesettings": WRITE,
        "purchasing.paymentrun": WRITE, "purchasing.paymentrunline": WRITE, "purchasing.landedcost": WRITE,
        "accounting.invoice": ("view", "add", "change", "post"), "inventory.transfer": (*WRITE, "validate"),
        "inventory.quant": READ, "inventory.procurementneed": WRITE, "core.partner": WRITE,
    },
    "Auditor": PURCHASING_READ,
}  # fmt: skip


def create_roles(apps, schema_editor):
    grant(apps, MATRIX)


class Migration(migrations.Migration):
    dependencies = [
        ("purchasing", "0001_initial"), ("core", "0003_roles"), ("accounting", "0003_roles"), ("inventory", "0003_roles"),
    ]  # fmt: skip
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
