"""Companies created before purchasing was installed get its order numbering and default rules."""

from django.db import migrations


def set_up_existing_companies(apps, schema_editor):
    Company = apps.get_model("core", "Company")
    Sequence = apps.get_model("core", "Sequence")
    PurchaseSettings = apps.get_model("purchasing", "PurchaseSettings")
    for company in Company.objects.all():
        Sequence.objects.get_or_create(company=company, code="purchasing.order",
                                       defaults={"name": "Purchase orders", "pattern": "PO/{year}/{number}"})  # fmt: skip
        PurchaseSettings.objects.get_or_create(company=company)


class Migration(migrations.Migration):
    dependencies = [("purchasing", "0002_roles")]
    operations = [migrations.RunPython(set_up_existing_companies, migrations.RunPython.noop)]
