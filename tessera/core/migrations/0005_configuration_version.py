from django.db import migrations, models


def create_row(apps, schema_editor):
    apps.get_model("core", "ConfigurationVersion").objects.create(pk=1, token=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_audit_trail_append_only")]

    operations = [
        migrations.CreateModel(
            name="ConfigurationVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.BigIntegerField(default=0)),
            ],
            options={"verbose_name": "configuration version"},
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
