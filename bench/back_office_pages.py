"""Benchmark: back-office pages and API lists on the demo data.

Builds a throw-away database (test_<name> beside the configured one, SQLite or DATABASE_URL),
loads the demo company, then times each page as a signed-in user: warm-up, then repeated requests;
prints the median and spread in milliseconds, the SQL query count and the peak Python memory.
The target (ARCHITECTURE.md, "Back office UI"): well under 300 ms, no query per row.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tessera .venv/bin/python bench/back_office_pages.py
"""

import os
import statistics
import sys
import time
import tracemalloc
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tessera.settings.test")
os.environ["DEBUG"] = "false"  # as in production: cached templates
os.environ["ALLOWED_HOSTS"] = "testserver"

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

PAGES = [
    "/admin/",
    "/admin/core/partner/",
    "/admin/core/partner/?q=gmbh",
    "/admin/core/product/",
    "/admin/core/product/?type__exact=stockable&category__id__exact=1",
    "/admin/core/auditentry/",
    "/admin/core/user/",
    "/api/v1/core/partners/?page_size=100",
    "/api/v1/core/products/?page_size=100",
    "/api/v1/core/audit-entries/?page_size=100",
]
WARM_UP, REPEAT = 3, 20


def measure(client: Client, url: str) -> tuple[list[float], int]:
    for _ in range(WARM_UP):
        assert client.get(url).status_code == 200, url
    timings = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    return timings, len(queries)


def main() -> None:
    from django.core.management import call_command

    from tessera.core.models import Partner, Product, User

    # No setup_test_environment(): its template instrumentation copies every context and would
    # dominate the figures.
    database = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        call_command("demo", stdout=StringIO())
        print(f"database: {connection.vendor} ({database}); demo loaded in {time.perf_counter() - started:.1f} s")
        print(f"rows: {Partner.objects.count()} partners, {Product.objects.count()} products")
        client = Client()
        client.force_login(User.objects.get(username="admin"))
        print(f"{'page':<66} {'median ms':>9} {'min–max ms':>13} {'queries':>7}")
        for url in PAGES:
            timings, queries = measure(client, url)
            spread = f"{min(timings):.0f}–{max(timings):.0f}"
            print(f"{url:<66} {statistics.median(timings):>9.1f} {spread:>13} {queries:>7}")
        # Memory in a separate pass: tracing allocations slows Python down several times.
        tracemalloc.start()
        for url in PAGES:
            client.get(url)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"peak Python memory while serving one of each page: {peak / 1_048_576:.1f} MiB")
    finally:
        connection.creation.destroy_test_db(database, verbosity=0)


if __name__ == "__main__":
    main()
