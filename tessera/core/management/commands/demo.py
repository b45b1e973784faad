from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from tessera.core.demo import load_demo


class Command(BaseCommand):
    @property
    def help(self) -> str:
        # Translated when the help is shown: argparse cannot format a lazy string.
        return _(
            "Load the demo company (a Belgian maker of metal furniture) with its users, partners and products. "
            "Records already there are left as they are, so the command can run again."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        load_demo(self.stdout)
