from django.db import migrations

from tessera.core.roles import ALL, READ, WRITE, grant

MASTER_DATA = ("manufacturing.workcentre", "manufacturing.routing", "manufacturing.routingoperation", "manufacturing.bom",
               "manufacturing.bomline", "manufacturing.bombyproduct")  # fmt: skip

MATRIX = {
    "Manufacturing / User": {**dict.fromkeys(MASTER_DATA, READ), "manufacturing.bom": WRITE,
                             "manufacturing.bomline": WRITE, "manufacturing.bombyproduct": WRITE},
    "Manufacturing / Manager": dict.fromkeys(MASTER_DATA, ALL),
    "Auditor": dict.fromkeys(MASTER_DATA, READ),
}  # fmt: skip


def create_roles(apps, schema_editor):
    grant(apps, MATRIX)


class Migration(migrations.Migration):
    dependencies = [("manufacturing", "0001_initial"), ("core", "0003_roles")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
