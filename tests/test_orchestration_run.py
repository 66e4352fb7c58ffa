"""Tier 3 behaviour of the job: a blocking check failure stops publication; the previous
warehouse and workbooks stay."""

from __future__ import annotations

import os

import dagster as dg
import duckdb
import pytest

from yiye.config import Home

ENV_KEYS = ("YIYE_HOME", "YIYE_WAREHOUSE", "DAGSTER_HOME")


@pytest.fixture(autouse=True)
def _restore_env(monkeypatch):
    for key in ENV_KEYS:
        if key in os.environ:
            monkeypatch.setenv(key, os.environ[key])
        else:
            monkeypatch.delenv(key, raising=False)


@pytest.mark.slow
def test_blocking_gx_failure_stops_publication(tmp_path, monkeypatch, dbt_manifest) -> None:
    import ingest.gx_checks as gx
    from ingest.demo.generator import generate_inbox
    from yiye.runner import run_nightly

    home = Home.resolve(tmp_path / "home").ensure()
    generate_inbox(home.inbox, scale=2, villages=2, end="2024-06-30")
    con = duckdb.connect(str(home.warehouse))
    con.execute("create table previous_marker as select 1 as x")
    con.close()
    warehouse_before = home.warehouse.read_bytes()
    old_report = home.report_path(2024)
    old_report.parent.mkdir(parents=True)
    old_report.write_bytes(b"previous workbook")

    def broken_suites(warehouse, *, today=None):
        return [
            gx.GxResult(
                table="roster_rows",
                expectation="expect_column_values_to_not_be_null",
                success=False,
                unexpected_count=3,
                details="{}",
                column="person_key",
                severity="error",
                suite="raw.roster_rows",
            )
        ]

    monkeypatch.setattr(gx, "run_gx_suites", broken_suites)
    result = run_nightly(home, as_of=__import__("datetime").date(2024, 6, 30), quiet=True)

    assert not result.ok and result.status == "failed"
    assert "blocking" in result.error.lower() or "gx" in result.error.lower()
    assert home.warehouse.read_bytes() == warehouse_before
    assert old_report.read_bytes() == b"previous workbook"
    assert not (home.root / "warehouse.building.duckdb").exists()
    # nothing downstream of the failed check ran
    instance = dg.DagsterInstance.from_config(str(home.dagster_home))
    try:
        assert instance.get_latest_materialization_event(dg.AssetKey(["raw", "roster_rows"]))
        assert not instance.get_latest_materialization_event(
            dg.AssetKey(["staging", "stg_raw__roster_rows"])
        )
        assert not instance.get_latest_materialization_event(dg.AssetKey(["reports", "assessment"]))
        check = instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [dg.AssetCheckKey(dg.AssetKey(["raw", "roster_rows"]), "gx_expectations")]
        )
        evaluation = next(iter(check.values())).event.dagster_event.event_specific_data
        assert evaluation.passed is False
    finally:
        instance.dispose()
