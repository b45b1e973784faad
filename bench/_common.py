"""What the benchmark scripts share: Django set-up, a throw-away PostgreSQL database, timing and reporting.

Imported first by each script (`import _common`), before any Django import.
"""

import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tessera.settings.test")
os.environ["DEBUG"] = "false"
os.environ.setdefault("ALLOWED_HOSTS", "testserver")  # the test client's host, for scripts that measure pages

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

WARM_UP, REPEAT = 3, 20


@dataclass(frozen=True)
class Figure:
    name: str
    timings: list[float]
    queries: int
    target: float | None = None

    def line(self) -> str:
        median = statistics.median(self.timings)
        spread = f"{min(self.timings):.1f}–{max(self.timings):.1f}"
        verdict = "" if self.target is None else f"< {self.target:.0f} {'met' if median < self.target else 'MISSED'}"
        return f"{self.name:<58} {median:>9.1f} {spread:>15} {self.queries:>7}  {verdict}"


def print_figures(figures: list[Figure]) -> None:
    print(f"\n{'measure':<58} {'median ms':>9} {'min–max ms':>15} {'queries':>7}  target ms")
    for figure in figures:
        print(figure.line())


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), platform.processor())
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version'), current_setting('shared_buffers'), "
                       "current_setting('work_mem'), current_setting('jit')")  # fmt: skip
        version, buffers, work_mem, jit = cursor.fetchone()
    return (
        f"machine: {os.cpu_count()} CPUs, {model}; Python {platform.python_version()}; load {os.getloadavg()[0]:.1f}\n"
        f"PostgreSQL {version} (shared_buffers {buffers}, work_mem {work_mem}, jit {jit})"
    )


@contextmanager
def throwaway_postgres(workload: str) -> Iterator[str]:
    """A fresh test_<name> database beside the one DATABASE_URL names, dropped afterwards."""
    if connection.vendor != "postgresql":
        sys.exit(
            f"{workload} loads its data with PostgreSQL SQL and measures PostgreSQL: set DATABASE_URL, "
            f"e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/tessera_{workload.lower()}"
        )
    old_name = connection.settings_dict["NAME"]
    database = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield database
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def timed(label: str, action: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = action()
    print(f"{label:<30} {time.perf_counter() - started:6.1f} s")
    return result


def repeat(action: Callable[[], Any], times: int = REPEAT, warm_up: int = WARM_UP) -> list[float]:
    for _ in range(warm_up):
        action()
    timings = []
    for _ in range(times):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def query_count(action: Callable[[], Any]) -> int:
    """Counted in a call of its own: capturing adds work to every query."""
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


def figure(name: str, action: Callable[[], Any], target: float | None = None) -> Figure:
    return Figure(name, repeat(action), query_count(action), target)


def peak_memory_mib(action: Callable[[], Any]) -> float:
    """In a pass of its own: tracing allocations slows Python down several times."""
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1] / 1_048_576
    finally:
        tracemalloc.stop()


def explain_queries(name: str, action: Callable[[], Any]) -> None:
    """EXPLAIN ANALYZE of every query the action issues, slowest first."""
    with CaptureQueriesContext(connection) as captured:
        action()
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            if not query["sql"].lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plan = [row[0] for row in cursor.fetchall()]
            plans.append((float(plan[-1].split()[2]), query["sql"], plan))
    for ms, sql, plan in sorted(plans, key=lambda found: -found[0]):
        print(f"\n--- {name}: {ms:.1f} ms\n{sql}\n" + "\n".join(plan))
