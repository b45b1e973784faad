from django.db import migrations

from tessera.core.roles import ALL, READ, WRITE, grant

MATRIX = {
    "Sales / User": {
        "sales.lead": WRITE, "sales.activity": ALL, "sales.stage": READ, "sales.lostreason": READ,
    },
    "Sales / Manager": {
        "sales.lead": ALL, "sales.activity": ALL, "sales.stage": ALL, "sales.lostreason": ALL,
    },
    "Auditor": {"sales.lead": READ, "sales.activity": READ, "sales.stage": READ, "sales.lostreason": READ},
}  # fmt: skip


def create_roles(apps, schema_editor):
    grant(apps, MATRIX)


class Migration(migrations.Migration):
    dependencies = [("sales", "0003_crm")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
