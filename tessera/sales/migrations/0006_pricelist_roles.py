from django.db import migrations

from tessera.core.roles import ALL, READ, grant

MATRIX = {
    "Sales / User": {"sales.pricelist": READ, "sales.pricelistitem": READ, "sales.customerpricelist": READ},
    "Sales / Manager": {"sales.pricelist": ALL, "sales.pricelistitem": ALL, "sales.customerpricelist": ALL},
    "Auditor": {"sales.pricelist": READ, "sales.pricelistitem": READ, "sales.customerpricelist": READ},
}  # fmt: skip


def create_roles(apps, schema_editor):
    grant(apps, MATRIX)


class Migration(migrations.Migration):
    dependencies = [("sales", "0005_pricelists")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
