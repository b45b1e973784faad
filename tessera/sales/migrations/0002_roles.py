from django.db import migrations

from tessera.core.roles import ALL, READ, WRITE, grant

ORDERS_READ = {"sales.saleorder": READ, "sales.saleorderline": READ}

MATRIX = {
    "Sales / User": {
        "sales.saleorder": WRITE, "sales.saleorderline": WRITE,
        "accounting.invoice": ("view", "add"), "inventory.transfer": WRITE, "inventory.quant": READ,
    },
    "Sales / Manager": {
        "sales.saleorder": ALL, "sales.saleorderline": ALL,
        "accounting.invoice": ("view", "add", "change", "post"), "inventory.transfer": WRITE, "inventory.quant": READ,
    },
    "Auditor": ORDERS_READ,
}  # fmt: skip


def create_roles(apps, schema_editor):
    grant(apps, MATRIX)


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0001_initial"), ("core", "0003_roles"), ("accounting", "0003_roles"), ("inventory", "0003_roles"),
    ]  # fmt: skip
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
