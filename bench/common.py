"""Shared plumbing for the benchmarks: their own database, timing, and the results table.

Import this module first: it configures Django (DEBUG on, a temporary SQLite file unless
DATABASE_URL is set).
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mps_ict.settings")
os.environ.setdefault("DEBUG", "1")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "30"))


def prepare_database(*commands: str) -> None:
    """A fresh database (PostgreSQL: dropped and recreated), migrated, with the given loaders run."""
    if connection.vendor == "postgresql":
        name = connection.settings_dict["NAME"]
        with connections["default"]._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        connection.close()
    call_command("migrate", verbosity=0)
    for command in commands:
        call_command(command, stdout=open(os.devnull, "w"))  # noqa: SIM115
    analyze()


def analyze() -> None:
    """Fresh planner statistics on PostgreSQL, as autovacuum gives after a load. (SQLite's ANALYZE
    leads its planner astray on these queries, and nothing runs it in development.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def signed_in_client(username: str) -> Client:
    from django.contrib.auth.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=username))
    return client


def measure(client, url, *, recompute=False):
    """Median ms per request and queries per request. With recompute, the figure cache is emptied
    before each request, so every figure is aggregated afresh in the database."""
    cache.clear()
    client.get(url)  # warm
    if recompute:
        cache.clear()
    with CaptureQueriesContext(connection) as context:
        client.get(url)
    queries = len(context.captured_queries)
    timings = []
    for _ in range(REQUESTS):
        if recompute:
            cache.clear()
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(timings), queries


def report(title: str, sizes: str, urls: dict, small: dict, large: dict, *, target: float) -> int:
    """Print the table; return 1 if a served (not 'recomputed') row misses the target."""
    print(f"\n{title} on {connection.vendor}, median of {REQUESTS} requests each")
    print(sizes + "\n")
    print(
        f"| {'metric':<30} | {'small ms':>9} | {'large ms':>9} | {'ratio':>6} | {'queries small/large':>19} | target |"
    )
    print(f"|{'-' * 32}|{'-' * 11}|{'-' * 11}|{'-' * 8}|{'-' * 21}|--------|")
    failed = False
    for name, (_, informative) in urls.items():
        (small_ms, small_q), (large_ms, large_q) = small[name], large[name]
        ratio = large_ms / small_ms
        ok = ratio <= target and small_q == large_q
        failed |= not ok and not informative
        verdict = "info" if informative else ("met" if ok else "MISSED")
        print(
            f"| {name:<30} | {small_ms:>9.1f} | {large_ms:>9.1f} | {ratio:>6.2f} "
            f"| {small_q:>9} / {large_q:<7} | {verdict} |"
        )
    print(f"\nTarget: large ≤ {target:g} × small, and the same number of queries at both sizes.")
    print("'recomputed' (information): the figure cache emptied before every request, so every figure is")
    print("aggregated in the database, as on the first request after a write.")
    return 1 if failed else 0
