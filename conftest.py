"""Test set-up shared by every module: markers that skip what this machine cannot run."""

import shutil

import pytest
from django.conf import settings
from django.db import connection

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def pytest_collection_modifyitems(config, items):
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    has_chromium = shutil.which("chromium") is not None
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://…"))
        if "browser" in item.keywords and not has_chromium:
            item.add_marker(pytest.mark.skip(reason="needs Chromium at /usr/bin/chromium"))


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _fresh_configuration():
    """What a test reads of the configuration is not kept for the next one (their ids can repeat)."""
    from tessera.core.transactions import forget_configuration  # after Django is set up

    yield
    forget_configuration()
