from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tessera.core.models import Company

from ...verification import verify_ledger


class Command(BaseCommand):
    help = "Recompute every company's hash chain of posted entries and check the ledger's invariants."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--company", type=int, help="Only this company (id).")

    def handle(self, *args, company: int | None = None, **options) -> None:
        companies = Company.objects.filter(pk=company) if company else Company.objects.all()
        failed = False
        for each in companies.order_by("pk"):
            report = verify_ledger(each)
            if report.sound:
                self.stdout.write(
                    _("%(company)s: %(count)s posted entries, chain and invariants sound.")
                    % {"company": each, "count": report.entries}
                )
            else:
                failed = True
                for problem in report.problems:
                    self.stderr.write(f"{each}: {problem}")
        if failed:
            raise CommandError(_("The ledger is not sound."))
