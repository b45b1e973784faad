"""Companies created before the `down_payment` role existed get it on their customer-advances account
(460000 in the Belgian chart, 2450 in the generic one), as chart_load gives it to new companies."""

from django.db import migrations

ADVANCES = ("460000", "2450")


def add_role(apps, schema_editor):
    Account = apps.get_model("accounting", "Account")
    AccountRole = apps.get_model("accounting", "AccountRole")
    having = set(AccountRole.objects.filter(role="down_payment").values_list("company_id", flat=True))
    for account in Account.objects.filter(code__in=ADVANCES).exclude(company_id__in=having).order_by("company_id", "code"):
        if account.company_id not in having:
            AccountRole.objects.create(company_id=account.company_id, role="down_payment", account=account)
            having.add(account.company_id)


class Migration(migrations.Migration):
    dependencies = [("accounting", "0003_roles")]
    operations = [migrations.RunPython(add_role, migrations.RunPython.noop)]
