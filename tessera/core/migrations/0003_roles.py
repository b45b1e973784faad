from django.db import migrations

from tessera.core.roles import ALL, READ, WRITE, grant

MASTER_DATA_READ = {
    "core.partner": READ,
    "core.partnerbankaccount": READ,
    "core.product": READ,
    "core.productcategory": READ,
    "core.uom": READ,
    "core.uomcategory": READ,
    "core.currency": READ,
    "core.paymentterm": READ,
}

MATRIX = {
    "Settings / Manager": {
        "core.company": ("view", "add", "change"),
        "core.user": WRITE,
        "auth.group": READ,
        "core.currency": ("view", "change"),
        "core.currencyrate": ALL,
        "core.uom": ALL,
        "core.uomcategory": ALL,
        "core.paymentterm": ALL,
        "core.sequence": ALL,
        "core.partner": ALL,
        "core.partnerbankaccount": ALL,
        "core.product": ALL,
        "core.productcategory": ALL,
        "core.auditentry": READ,
    },
    "Auditor": {
        **MASTER_DATA_READ,
        "core.company": READ,
        "core.currencyrate": READ,
        "core.sequence": READ,
        "core.user": READ,
        "core.auditentry": READ,
    },
    "Accounting / User": {**MASTER_DATA_READ, "core.partner": WRITE, "core.partnerbankaccount": WRITE, "core.currencyrate": READ},
    "Accounting / Manager": {
        **MASTER_DATA_READ,
        "core.partner": ALL,
        "core.partnerbankaccount": ALL,
        "core.paymentterm": ALL,
        "core.currencyrate": ALL,
        "core.sequence": ("view", "change"),
        "core.auditentry": READ,
    },
    "Sales / User": {**MASTER_DATA_READ, "core.partner": WRITE},
    "Sales / Manager": {**MASTER_DATA_READ, "core.partner": ALL, "core.partnerbankaccount": WRITE, "core.product": WRITE},
    "Purchasing / User": {**MASTER_DATA_READ, "core.partner": WRITE, "core.partnerbankaccount": WRITE},
    "Purchasing / Manager": {**MASTER_DATA_READ, "core.partner": ALL, "core.partnerbankaccount": ALL, "core.product": ALL},
    "Inventory / User": MASTER_DATA_READ,
    "Inventory / Manager": {**MASTER_DATA_READ, "core.product": ALL, "core.productcategory": ALL},
    "Manufacturing / User": MASTER_DATA_READ,
    "Manufacturing / Manager": {**MASTER_DATA_READ, "core.product": WRITE},
    "HR / User": {"core.user": READ},
    "HR / Manager": {"core.user": READ},
    "Employee": {},
}


def create_roles(apps, schema_editor):
    grant(apps, MATRIX)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_currencies_and_units"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
