"""Typed extension points that modules higher up register into from their AppConfig.ready().

Core cannot import the modules built on it; when core does something they must react to (a company
is created), it calls the functions registered here, in the same transaction.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Company, User

CompanySetup = Callable[["Company", "User"], None]
DemoLoader = Callable[["Company", "User"], None]

_company_setup: list[CompanySetup] = []
_demo_loaders: list[DemoLoader] = []


def register_company_setup(setup: CompanySetup) -> None:
    """`setup(company, by)` runs when a company is created, such as loading its chart of accounts."""
    if setup not in _company_setup:
        _company_setup.append(setup)


def run_company_setup(company: "Company", by: "User") -> None:
    for setup in _company_setup:
        setup(company, by)


def register_demo_loader(loader: DemoLoader) -> None:
    """`loader(company, by)` adds a module's demo data to the demo company (`manage.py demo`); it
    must create only what is missing, as the command runs at every `make run`."""
    if loader not in _demo_loaders:
        _demo_loaders.append(loader)


def run_demo_loaders(company: "Company", by: "User") -> None:
    for loader in _demo_loaders:
        loader(company, by)
