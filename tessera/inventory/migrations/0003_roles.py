from django.db import migrations

from tessera.core.roles import ALL, READ, WRITE, grant

STOCK_READ = {
    "inventory.warehouse": READ, "inventory.location": READ, "inventory.productstock": READ, "inventory.lot": READ,
    "inventory.quant": READ, "inventory.transfer": READ, "inventory.move": READ, "inventory.moveline": READ,
    "inventory.reorderingrule": READ, "inventory.procurementneed": READ, "inventory.inventorycount": READ,
    "inventory.inventorycountline": READ, "inventory.scrap": READ, "inventory.valuationlayer": READ,
    "inventory.categoryvaluation": READ,
}  # fmt: skip

MATRIX = {
    "Inventory / User": {
        **STOCK_READ,
        "inventory.lot": WRITE,
        "inventory.transfer": (*WRITE, "validate"),
        "inventory.move": WRITE,
        "inventory.inventorycount": WRITE,
        "inventory.inventorycountline": WRITE,
        "inventory.scrap": WRITE,
        "inventory.procurementneed": WRITE,
    },
    "Inventory / Manager": {
        **STOCK_READ,
        "inventory.warehouse": ALL,
        "inventory.location": ALL,
        "inventory.productstock": ALL,
        "inventory.lot": ALL,
        "inventory.transfer": (*ALL, "validate"),
        "inventory.move": WRITE,
        "inventory.reorderingrule": ALL,
        "inventory.procurementneed": WRITE,
        "inventory.inventorycount": ALL,
        "inventory.inventorycountline": ALL,
        "inventory.scrap": WRITE,
        "inventory.categoryvaluation": ALL,
    },
    "Auditor": STOCK_READ,
}


def create_roles(apps, schema_editor):
    grant(apps, MATRIX)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0002_done_moves_final"), ("core", "0003_roles")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
