"""The outcome of a demo load, and what it prints: the records created and found, and the accounts to sign in with."""

from collections.abc import Sequence
from dataclasses import dataclass
from io import TextIOBase

from django.db import models
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from ..models import Company
from .loader import Tally
from .users import DemoUser


@dataclass(frozen=True)
class DemoResult:
    company: Company
    tallies: dict[type[models.Model], Tally]
    users: tuple[DemoUser, ...]

    @property
    def created(self) -> int:
        return sum(tally.created for tally in self.tallies.values())


def write_report(result: DemoResult, stdout: TextIOBase) -> None:
    records = [(capfirst(model._meta.verbose_name_plural), str(t.created), str(t.found)) for model, t in result.tallies.items()]
    logins = [(user.username, user.password, user.role or _("Superuser")) for user in result.users]
    lines = [
        _("Demo company: %(company)s") % {"company": result.company},
        "",
        *table((_("Records"), _("Created"), _("Found")), records),
        "",
        _("Sign in at %(url)s with one of these accounts:") % {"url": reverse("admin:index")},
        "",
        *table((_("Username"), _("Password"), _("Role")), logins),
    ]
    stdout.write("\n".join(lines) + "\n")


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Lines of text in columns as wide as their widest cell."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    return [
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in (header, *rows)
    ]
