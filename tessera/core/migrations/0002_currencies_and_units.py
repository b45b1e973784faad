import csv
from decimal import Decimal
from pathlib import Path

from django.db import migrations

CURRENCIES = Path(__file__).resolve().parent.parent / "data" / "iso4217.csv"
ACTIVE = {"EUR", "USD", "GBP", "CHF"}

# category: [(name, ratio to the reference unit, rounding, is_reference)]
UNITS = {
    "Unit": [("Unit", "1", "1", True), ("Pair", "2", "1", False), ("Dozen", "12", "1", False), ("Box of 100", "100", "1", False)],
    "Weight": [("kg", "1", "0.001", True), ("g", "0.001", "0.1", False), ("t", "1000", "0.001", False)],
    "Length": [
        ("m", "1", "0.001", True),
        ("cm", "0.01", "0.1", False),
        ("mm", "0.001", "1", False),
        ("km", "1000", "0.001", False),
    ],
    "Surface": [("m²", "1", "0.01", True)],
    "Volume": [("L", "1", "0.001", True), ("mL", "0.001", "1", False), ("m³", "1000", "0.001", False)],
    "Working time": [("Hour", "1", "0.01", True), ("Day", "8", "0.01", False)],
}


def load(apps, schema_editor):
    Currency = apps.get_model("core", "Currency")
    with CURRENCIES.open(newline="", encoding="utf-8") as handle:
        Currency.objects.bulk_create(
            Currency(
                code=row["code"],
                name=row["name"],
                symbol=row["symbol"],
                minor_unit=int(row["minor_unit"]),
                active=row["code"] in ACTIVE,
            )
            for row in csv.DictReader(handle)
        )
    UomCategory = apps.get_model("core", "UomCategory")
    Uom = apps.get_model("core", "Uom")
    for category_name, units in UNITS.items():
        category = UomCategory.objects.create(name=category_name)
        for name, ratio, rounding, is_reference in units:
            Uom.objects.create(
                category=category, name=name, ratio=Decimal(ratio), rounding=Decimal(rounding), is_reference=is_reference
            )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
