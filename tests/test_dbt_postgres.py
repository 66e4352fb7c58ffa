"""Portability (issue #3): the dbt project builds on PostgreSQL and gives DuckDB's marts.

A small demo inbox (3 villages, 2023-01 .. 2024-06, seed 2022) is generated and ingested into a
scratch DuckDB warehouse; seeds and models are built there (DuckDB's data and unit tests run
in tests/test_dbt_*.py). The raw.* tables (ingest/raw_schema.py is the contract) are copied
into a throwaway PostgreSQL cluster (tests/pg_cluster.py) and the whole project is built with
`dbt build --target postgres`: seeds, models, every data test and every unit test. Then every
marts.* table must be equal on both engines: same tables, columns, rows (sorted), values
(rates to 1e-9, types alike: int stays int, date stays date).

Outside CI, without Debian's `postgresql` package the test is skipped with the reason; with
CI=true it fails (.ci/run installs the package).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
from pg_cluster import PgCluster, copy_raw_tables, diff_rows, find_pg_bin, table_rows

ROOT = Path(__file__).resolve().parents[1]
DBT_DIR = ROOT / "dbt_project"
DBT = Path(sys.executable).parent / "dbt"
AS_OF = date(2024, 6, 30)
FIRST_YEAR = 2023
VARS = f'{{as_of: "{AS_OF.isoformat()}", first_year: {FIRST_YEAR}}}'
IN_CI = os.environ.get("CI", "").lower() == "true"


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"Postgres portability check cannot run in CI: {reason}")
    pytest.skip(reason)


def _dbt(args: list[str], tmp: Path, name: str, env: dict[str, str]) -> subprocess.Popen:
    """Start one dbt invocation with its own target/log paths (never dbt_project/target)."""
    cmd = [
        str(DBT),
        *args,
        "--profiles-dir",
        ".",
        "--target-path",
        str(tmp / f"target_{name}"),
        "--log-path",
        str(tmp / f"logs_{name}"),
        "--vars",
        VARS,
        "--threads",
        "4",
    ]
    full_env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **env}
    out = (tmp / f"{name}.out").open("w")
    return subprocess.Popen(
        cmd, cwd=DBT_DIR, env=full_env, stdout=out, stderr=subprocess.STDOUT, text=True
    )


def _finish(proc: subprocess.Popen, tmp: Path, name: str) -> None:
    try:
        rc = proc.wait(timeout=600)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    if rc != 0:
        # dbt's own end-of-run summary: the failing nodes and their database errors.
        out = (tmp / f"{name}.out").read_text(errors="replace")
        cut = out.find("Completed with")
        pytest.fail(
            f"dbt build on {name} failed:\n" + (out[cut:] if cut >= 0 else out[-4000:])[:6000]
        )


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory):
    """(duckdb path, running PgCluster, run_results of the Postgres build)."""
    pg_bin = find_pg_bin()
    if pg_bin is None:
        _unavailable(
            "PostgreSQL server binaries (initdb, pg_ctl) not found under "
            "/usr/lib/postgresql/*/bin: install Debian's `postgresql` package"
        )
    try:
        import dbt.adapters.postgres  # noqa: F401
        import psycopg2  # noqa: F401
    except ImportError as exc:
        _unavailable(f"dbt-postgres / psycopg2 not installed ({exc}): make install")

    from ingest.demo.generator import generate_inbox
    from ingest.pipeline import ingest_inbox
    from yiye.config import Home

    tmp = tmp_path_factory.mktemp("dbt_postgres")
    home = Home.resolve(tmp / "home").ensure()
    generate_inbox(home.inbox, scale=12, seed=2022, start="2023-01", end=AS_OF, villages=3)
    summary = ingest_inbox(home)
    assert summary.files_failed == 0 and summary.rows_accepted > 0, summary.errors

    cluster = PgCluster(pg_bin)
    procs: list[subprocess.Popen] = []
    try:
        cluster.start()
        con = cluster.connect()
        try:
            counts = copy_raw_tables(home.warehouse, con)
        finally:
            con.close()
        assert counts["roster_rows"] > 0 and counts["referral_rows"] > 0, counts
        # The two builds are independent: run them side by side (dbt is mostly single-core
        # Python). DuckDB: seeds and models only (its tests run in tests/test_dbt_*.py);
        # Postgres: everything, data tests and unit tests included.
        duck = _dbt(
            ["build", "--resource-type", "seed", "--resource-type", "model"],
            tmp,
            "duckdb",
            {"YIYE_WAREHOUSE": str(home.warehouse)},
        )
        procs.append(duck)
        pg = _dbt(["build", "--target", "postgres"], tmp, "postgres", cluster.env())
        procs.append(pg)
        _finish(pg, tmp, "postgres")
        _finish(duck, tmp, "duckdb")
        results = json.loads((tmp / "target_postgres" / "run_results.json").read_text())
        yield home.warehouse, cluster, results
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        cluster.stop()


def _marts(columns_sql: str, fetch) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for table, column in fetch(columns_sql):
        out.setdefault(table, []).append(column)
    return out


COLUMNS_SQL = (
    "select table_name, column_name from information_schema.columns "
    "where table_schema = 'marts' order by table_name, ordinal_position"
)


@pytest.mark.slow
@pytest.mark.postgres
def test_postgres_build_runs_every_test(engines) -> None:
    _, _, results = engines
    by_type: dict[str, list[str]] = {}
    for r in results["results"]:
        kind = r["unique_id"].split(".")[0]
        by_type.setdefault(kind, []).append(r["status"])
    # Everything built or passed on Postgres: no error, failure, warning or skip.
    for kind, statuses in by_type.items():
        ok = {"success", "pass"} | ({"no-op"} if kind == "exposure" else set())
        assert set(statuses) <= ok, (kind, sorted(set(statuses)))
    assert len(by_type.get("seed", [])) >= 5
    assert len(by_type.get("model", [])) >= 50
    assert len(by_type.get("test", [])) >= 100
    assert len(by_type.get("unit_test", [])) >= 30


@pytest.mark.slow
@pytest.mark.postgres
def test_marts_equal_on_duckdb_and_postgres(engines) -> None:
    duck_path, cluster, _ = engines
    dcon = duckdb.connect(str(duck_path), read_only=True)
    pcon = cluster.connect()
    try:
        pcur = pcon.cursor()

        def pg_fetch(sql: str) -> list[tuple]:
            pcur.execute(sql)
            return pcur.fetchall()

        def duck_fetch(sql: str) -> list[tuple]:
            return dcon.execute(sql).fetchall()

        duck_marts = _marts(COLUMNS_SQL, duck_fetch)
        pg_marts = _marts(COLUMNS_SQL, pg_fetch)
        assert sorted(pg_marts) == sorted(duck_marts)
        assert {
            "kpi_town_year",
            "kpi_village_year",
            "village_assessment_summary",
            "survival_curve_startups",
            "kpi_evidence",
            "follow_up_list",
        } <= set(duck_marts)

        problems: list[str] = []
        compared_rates = 0
        for table, cols in sorted(duck_marts.items()):
            assert pg_marts[table] == cols, table
            select = f"select {', '.join(chr(34) + c + chr(34) for c in cols)} from marts.{table}"
            d_rows = table_rows(duck_fetch(select))
            p_rows = table_rows(pg_fetch(select))
            # A demo this small still fills every mart, so the comparison is never vacuous.
            assert d_rows, f"marts.{table} is empty on DuckDB: the demo is too small"
            problems += diff_rows(table, cols, d_rows, p_rows)
            compared_rates += sum(
                1
                for r in d_rows
                for v in r
                if isinstance(v, float) and not math.isnan(v) and v != int(v)
            )
        assert not problems, "\n".join(problems[:40])
        assert compared_rates > 100  # fractional rates/survivals really were compared
    finally:
        dcon.close()
        pcon.close()


# --- the comparison itself must be able to fail (no Postgres needed) -----------------------


def test_diff_rows_catches_engine_differences() -> None:
    cols = ["year", "value", "day"]
    base = table_rows([(2024, 0.5, date(2024, 1, 31)), (2023, 1 / 3, None)])
    assert (
        diff_rows(
            "t",
            cols,
            base,
            table_rows([(2023, 1 / 3 + 1e-12, None), (2024, 0.5, date(2024, 1, 31))]),
        )
        == []
    )
    # integer division (Postgres 1/3 = 0), a shifted month end, NULL vs 0, int vs float,
    # a lost row: each is reported
    assert diff_rows(
        "t", cols, base, table_rows([(2023, 0.0, None), (2024, 0.5, date(2024, 1, 31))])
    )
    assert diff_rows(
        "t", cols, base, table_rows([(2023, 1 / 3, None), (2024, 0.5, date(2024, 2, 1))])
    )
    assert diff_rows(
        "t",
        cols,
        base,
        table_rows([(2023, 1 / 3, date(2024, 1, 1)), (2024, 0.5, date(2024, 1, 31))]),
    )
    assert diff_rows("t", cols, table_rows([(1, 2, None)]), table_rows([(1, 2.0, None)]))
    assert diff_rows("t", cols, base, base[:1])
    assert diff_rows("t", ["b"], [(True,)], [(1,)])
