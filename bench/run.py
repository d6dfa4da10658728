"""`make bench`: the whole benchmark suite against PostgreSQL, at the `small` and `large` scales of
`generate_demo_data`, every figure beside a reference measured in the same run:

- the roll-up against the floor (one hand-written GROUP BY on the same rows) and against what an
  analyst would do instead (export the rows to CSV, pandas read_csv + groupby, end to end);
- pages and endpoints served by gunicorn under load from wrk on loopback (p50, p95, requests a
  second), with queries per request, at both scales; the summary endpoints' throughput against a
  trivial signed-in Django JSON view on the same gunicorn (the framework's ceiling);
- peak memory of the web workers and of the roll-up (a process of its own);
- the uploads at the large scale: previewing and committing a 30,000-row device register and a
  1,000-initiative quarter's actuals against pandas reading the same file plus one bulk insert
  (bench_imports.py);
- the Monte Carlo simulations at the large scale (issue 16): the capital programme's outturn over
  the endpoint's own inputs (2,000 generated projects and the seed's) and the savings targets'
  chances over 2,000 initiatives, 10,000 draws each, against a bare numpy simulation of the same
  draws (bench_outturn.py); and the capital-programme and savings summary endpoints on a cold cache
  (the first request after a write, which runs the simulation), small against large.

Prints one table (metric | this project | reference | ratio | target) and writes bench/RESULTS.md.
The database named by DATABASE_URL (default postgres://postgres@127.0.0.1:5432/mps_ict_bench) is
dropped and recreated.
"""

import http.client
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mps_ict_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/7")
# one key for this process and gunicorn: the session it signs must be valid there
os.environ["SECRET_KEY"] = "bench-only-" + "k" * 50

import bench_imports
import bench_outturn
import common
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import Max, Min
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from mobile_assets.models import UsageStatistic
from mobile_assets.services import benefit_rollup

ROOT = common.ROOT
PORT = int(os.environ.get("BENCH_PORT", "8765"))
DURATION = int(os.environ.get("BENCH_SECONDS", "8"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 2)))
LOADED = {
    "board overview page": "/",
    "device register page": "/mobile/devices/",
    "portfolio dashboard page": "/portfolio/",
    "savings summary endpoint": "/api/v1/savings/summary/",
    "capital-programme endpoint": "/api/v1/portfolio/capital-programmes/",
    "device-types endpoint": "/api/v1/mobile/device-types/",
}
SUMMARY_ENDPOINTS = ("savings summary endpoint", "capital-programme endpoint", "device-types endpoint")
# the endpoints whose figures include a simulation (issue 16), timed on a cold cache too: the first
# request after a write to their area, which computes every figure afresh (the served rows above
# come from the cache)
COLD = {
    "capital-programme endpoint": ("/api/v1/portfolio/capital-programmes/", "portfolio"),
    "savings summary endpoint": ("/api/v1/savings/summary/", "savings"),
}
COLD_REPEATS = int(os.environ.get("BENCH_COLD_REPEATS", "7"))
TRIVIAL = "/bench/trivial/"

FLOOR_SQL = """
    SELECT u.month, r.role, SUM(u.count * r.minutes_saved)
    FROM mobile_assets_usagestatistic u
    JOIN mobile_assets_benefitrule r ON r.transaction_type_id = u.transaction_type_id
    WHERE u.month BETWEEN %s AND %s
    GROUP BY u.month, r.role
"""


def best_of(runs: int, function) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return min(timings)


# ----------------------------------------------------------------------------- the roll-up


def usage_span() -> tuple[date, date]:
    span = UsageStatistic.objects.filter(device__asset_tag__startswith="GEN-").aggregate(
        start=Min("month"), end=Max("month")
    )
    return span["start"], span["end"]


def floor(start, end):
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, [start, end])
        cursor.fetchall()


def pandas_route(start, end):
    """What an analyst would do: export the usage rows and the rules to CSV, then pandas."""
    import pandas as pd

    with tempfile.TemporaryDirectory() as folder:
        usage_csv, rules_csv = Path(folder) / "usage.csv", Path(folder) / "rules.csv"
        with connection.cursor() as cursor, usage_csv.open("w") as usage_file, rules_csv.open("w") as rules_file:
            cursor.copy_expert(
                "COPY (SELECT month, transaction_type_id, count FROM mobile_assets_usagestatistic "
                f"WHERE month BETWEEN '{start}' AND '{end}') TO STDOUT WITH CSV HEADER",
                usage_file,
            )
            cursor.copy_expert(
                "COPY (SELECT transaction_type_id, role, minutes_saved FROM mobile_assets_benefitrule) "
                "TO STDOUT WITH CSV HEADER",
                rules_file,
            )
        usage = pd.read_csv(usage_csv)
        rules = pd.read_csv(rules_csv)
        joined = usage.merge(rules, on="transaction_type_id")
        joined["minutes"] = joined["count"] * joined["minutes_saved"]
        return joined.groupby(["month", "role"])["minutes"].sum()


def rollup_peak_rss_mb(start, end) -> float:
    """Peak resident memory of the roll-up run as its own process (the management command)."""
    time_binary = "/usr/bin/time"  # GNU time (the shell builtin cannot report memory)
    result = subprocess.run(
        [
            time_binary,
            "-f",
            "PEAK_KB %M",
            sys.executable,
            "manage.py",
            "recompute_benefits",
            f"{start:%Y-%m}",
            f"{end:%Y-%m}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(re.search(r"PEAK_KB (\d+)", result.stderr).group(1)) / 1024


def measure_rollup() -> dict:
    start, end = usage_span()
    floor(start, end)  # warm the page cache
    return {
        "rows": UsageStatistic.objects.filter(month__range=(start, end)).count(),
        "floor_ms": best_of(3, lambda: floor(start, end)),
        "ours_ms": best_of(3, lambda: benefit_rollup(start=start, end=end)),
        "pandas_ms": best_of(2, lambda: pandas_route(start, end)),
        "peak_mb": rollup_peak_rss_mb(start, end),
    }


# ----------------------------------------------------------------------------- under load


def queries_per_request(client) -> dict:
    counts = {}
    for name, url in LOADED.items():
        client.get(url)  # the served path: figures cached after the first request
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        counts[name] = len(context.captured_queries)
    return counts


def start_gunicorn() -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "mps_ict.wsgi", "--bind", f"127.0.0.1:{PORT}", "--workers", str(WORKERS)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", PORT), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def worker_peak_mb(master: subprocess.Popen) -> float:
    peaks = []
    for pid in [
        master.pid,
        *subprocess.run(["pgrep", "-P", str(master.pid)], capture_output=True, text=True).stdout.split(),
    ]:
        status = Path(f"/proc/{pid}/status")
        if status.exists():
            match = re.search(r"VmHWM:\s+(\d+) kB", status.read_text())
            if match:
                peaks.append(int(match.group(1)) / 1024)
    return max(peaks)


def wrk(url: str, cookie: str) -> dict:
    result = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{DURATION}s",
            "--timeout",
            "10s",  # wrk's default (2 s) counts a slow request on a busy machine as a failure
            "-s",
            str(ROOT / "bench" / "wrk_report.lua"),
            "-H",
            f"Cookie: sessionid={cookie}",
            f"http://127.0.0.1:{PORT}{url}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"BENCH p50=([\d.]+) p95=([\d.]+) rps=([\d.]+) requests=(\d+) errors=(\d+)", result.stdout)
    p50, p95, rps, requests, errors = match.groups()
    if int(errors):
        raise RuntimeError(f"{url}: {errors} of {requests} requests failed under load")
    return {"p50": float(p50), "p95": float(p95), "rps": float(rps)}


def assert_served(url: str, cookie: str) -> None:
    """wrk counts a redirect to the sign-in page as success: check each URL answers 200 first."""
    connection_ = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    connection_.request("GET", url, headers={"Cookie": f"sessionid={cookie}"})
    status = connection_.getresponse().status
    connection_.close()
    if status != 200:
        raise RuntimeError(f"{url} answered {status} on gunicorn, not 200")


def measure_under_load(client) -> dict:
    cookie = client.cookies["sessionid"].value
    server = start_gunicorn()
    try:
        for url in [*LOADED.values(), TRIVIAL]:
            assert_served(url, cookie)
        results = {}
        for name, url in {**LOADED, "trivial JSON view": TRIVIAL}.items():
            wrk(url, cookie)  # warm every worker's connections and the figure cache
            results[name] = wrk(url, cookie)
        results["web peak MB"] = worker_peak_mb(server)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return results


# ----------------------------------------------------------------------------- on a cold cache


def measure_cold(client) -> dict:
    """Each COLD endpoint's first request after a write to its area (the figure cache marked stale
    as every write marks it, then one request, in this process through Django's test client with
    DEBUG off): COLD_REPEATS times, p50 and best."""
    from mps_ict.figures_cache import figures_changed

    results = {}
    with override_settings(DEBUG=False):
        for name, (url, app_label) in COLD.items():
            client.get(url)  # warm the process (imports, numpy's first calls, the module's tables)
            timings = []
            for _ in range(COLD_REPEATS):
                figures_changed(app_label)
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            timings.sort()
            results[name] = {"p50": timings[len(timings) // 2], "best": timings[0], "worst": timings[-1]}
    return results


# ----------------------------------------------------------------------------- the table


def measure_scale(scale: str) -> dict:
    started = time.perf_counter()
    call_command("generate_demo_data", scale=scale, stdout=open(os.devnull, "w"))  # noqa: SIM115
    common.analyze()
    cache.clear()
    generated_s = time.perf_counter() - started
    # the register is personal data (access policy): its readers, the mobile technology team, read
    # every page measured here
    client = common.signed_in_client("assets")
    return {
        "generated_s": generated_s,
        "rollup": measure_rollup(),
        "queries": queries_per_request(client),
        "load": measure_under_load(client),
        "cold": measure_cold(client),
    }


def rows_for(small: dict, large: dict) -> list[tuple]:
    rows = []

    def row(metric, ours, reference, ratio, target, met):
        rows.append((metric, ours, reference, f"{ratio:.2f}", target, "met" if met else "MISSED"))

    for scale, data in (("small", small), ("large", large)):
        r = data["rollup"]
        row(
            f"roll-up, {r['rows']:,} usage rows ({scale})",
            f"{r['ours_ms']:.0f} ms",
            f"{r['floor_ms']:.0f} ms hand-written SQL",
            r["ours_ms"] / r["floor_ms"],
            "≤ 1.5",
            r["ours_ms"] <= 1.5 * r["floor_ms"],
        )
        row(
            f"roll-up vs pandas, {r['rows']:,} rows ({scale})",
            f"{r['ours_ms']:.0f} ms",
            f"{r['pandas_ms']:.0f} ms CSV + pandas",
            r["ours_ms"] / r["pandas_ms"],
            "< 1 (faster)",
            r["ours_ms"] < r["pandas_ms"],
        )
    row(
        "roll-up peak memory (own process)",
        f"{large['rollup']['peak_mb']:.0f} MB large",
        f"{small['rollup']['peak_mb']:.0f} MB small",
        large["rollup"]["peak_mb"] / small["rollup"]["peak_mb"],
        "≤ 300 MB",
        large["rollup"]["peak_mb"] <= 300,
    )
    for name in LOADED:
        at_small, at_large = small["load"][name], large["load"][name]
        row(
            f"{name} p50 (p95) under load",
            f"{at_large['p50']:.1f} ({at_large['p95']:.1f}) ms large",
            f"{at_small['p50']:.1f} ({at_small['p95']:.1f}) ms small",
            at_large["p50"] / at_small["p50"],
            "≤ 1.5",
            at_large["p50"] <= 1.5 * at_small["p50"],
        )
        qs, ql = small["queries"][name], large["queries"][name]
        row(f"{name} queries per request", f"{ql} large", f"{qs} small", ql / qs, "identical", qs == ql)
        if name in COLD:
            cold_small, cold_large = small["cold"][name], large["cold"][name]
            rows.append(
                (
                    f"{name}, cold cache (first request after a write) p50 (best) of {COLD_REPEATS}",
                    f"{cold_large['p50']:,.0f} ({cold_large['best']:,.0f}) ms large",
                    f"{cold_small['p50']:,.0f} ({cold_small['best']:,.0f}) ms small",
                    f"{cold_large['p50'] / cold_small['p50']:.2f}",
                    "≤ 1.5 (information)",
                    "met" if cold_large["p50"] <= 1.5 * cold_small["p50"] else "not met (information)",
                )
            )
    trivial = large["load"]["trivial JSON view"]
    for name in SUMMARY_ENDPOINTS:
        ours = large["load"][name]["rps"]
        row(
            f"{name} throughput (large)",
            f"{ours:.0f} req/s",
            f"{trivial['rps']:.0f} req/s trivial view",
            ours / trivial["rps"],
            "≥ 0.5",
            ours >= 0.5 * trivial["rps"],
        )
    for scale, data in (("small", small), ("large", large)):
        peak = data["load"]["web peak MB"]
        row(f"web process peak memory ({scale})", f"{peak:.0f} MB", "300 MB limit", peak / 300, "≤ 1", peak <= 300)
    return rows


def machine() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0].split()[0]
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, Python {platform.python_version()}, PostgreSQL {pg}"


def main() -> int:
    if connection.vendor != "postgresql":
        print("make bench measures against PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    common.prepare_database("create_demo_users")
    small = measure_scale("small")
    large = measure_scale("large")
    started = time.perf_counter()
    uploads = bench_imports.measure_imports()  # on the large scale's register and plan
    uploads_s = time.perf_counter() - started
    # the endpoint's own inputs on the large scale; the savings simulation's built as the generator builds them
    simulations = bench_outturn.measure_simulations(bench_outturn.database_outturn_inputs())
    rows = rows_for(small, large) + simulations + uploads
    header = ("metric", "this project", "reference", "ratio", "target", "")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    table = "\n".join(lines)
    missed = [row[0] for row in rows if row[-1] == "MISSED"]
    summary = (
        f"# Benchmark results\n\n{timezone.localdate():%d %B %Y}; {machine()}.\n"
        f"Scales from `generate_demo_data`: small (generated in {small['generated_s']:.0f} s) and large "
        f"({large['generated_s']:.0f} s). Load: wrk, 2 threads, {CONNECTIONS} connections, {DURATION} s per URL "
        f"against gunicorn with {WORKERS} workers on loopback, signed in as the asset manager (the register's reader); the figure cache in "
        f"Redis. The uploads measured on the large scale in {uploads_s:.0f} s (floor, preview and commit "
        f"interleaved, the best of several). One run; ratios, not absolute times, are what carry from machine to machine.\n\n"
        f"{table}\n\n" + (f"Missed: {', '.join(missed)}.\n" if missed else "Every target met.\n")
    )
    print("\n" + summary)
    notes = NOTES.replace(
        "\n\n## Misses found", "\n" + bench_outturn.NOTES + "\n" + bench_imports.NOTES + "\n\n## Misses found", 1
    )
    (ROOT / "bench" / "RESULTS.md").write_text(summary + notes, encoding="utf-8")
    return 1 if missed else 0


NOTES = """
## How to read it
- **roll-up**: `benefit_rollup` (one GROUP BY of usage × effective-dated minutes saved, priced per
  role and year, upserted) against a bare hand-written GROUP BY of the same rows (the floor) and
  against exporting the rows to CSV and summing them with pandas (`read_csv` + `merge` +
  `groupby`), each the best of a few runs.
- **p50 (p95) under load**: the page or endpoint as served (figures from the versioned cache that
  every write invalidates), latency percentiles from wrk; the ratio is large over small.
- **cold cache (first request after a write)**: the endpoint's figures marked stale as a write to
  its area marks them, then one request (Django's test client in the bench's process, DEBUG off),
  repeated; this is where the simulation's cost shows (the served rows come from the cache). Its
  work grows with projects × draws (or initiatives × draws), so the ratio is information, not a
  target: the simulation's own target is the row against the bare numpy simulation.
- **queries per request**: counted with Django's test client on the served path.
- **throughput**: requests a second at large against `/bench/trivial/`, a signed-in JSON view with
  the same middleware on the same gunicorn (`bench/urls.py`).
- **peak memory**: VmHWM of the gunicorn master and workers after the load; the roll-up as
  `manage.py recompute_benefits` in a process of its own (GNU time's maximum resident set).

## Misses found by this suite, and what fixed them (24 November 2026, same machine)
| metric | before | after | fix |
|---|---|---|---|
| roll-up, 100,000 rows, against the SQL floor | 1.81 (154 ms vs 85 ms) | 1.16 | the roll-up upserted each (month, role) row with a query to find it and one to write it; it now reads the existing roll-ups once and writes new and changed rows in bulk with their audit history (an unchanged re-run writes nothing) |
| roll-up, 100,000 rows, against pandas | 1.39 (slower) | 0.87 (faster) | the same fix |
| device-types endpoint p50, large over small | 1.84 | 0.91 | the counts per type and status were aggregated over the whole register on every request; they are now a cached figure, invalidated by every mobile write (`mps_ict/figures_cache.py`) |
| device-types endpoint throughput against the trivial view | 0.25 | 0.87 | the same fix |
| capital-programme endpoint throughput against the trivial view | 0.43 (0.52 in an earlier run) | 0.68 | the endpoint listed the programmes and then fetched each year's position twice (a query each); every year's position is now one cached figure, the what-if rate applied on top |
"""


if __name__ == "__main__":
    sys.exit(main())
