"""The YiyeHome resource: lock for the whole run, work on a copy, swap only on success.

Uses a tiny job with the real resource, as a run started by the daemon or the UI would."""

from __future__ import annotations

import os
import subprocess
import sys

import dagster as dg
import duckdb
import pytest

from orchestration.resources import WAREHOUSE_ENV, YiyeHome
from yiye.config import PROJECT_ROOT, Home

PROBE = (
    "import sys; from pathlib import Path; from yiye.locking import *\n"
    "try:\n    WarehouseLock(Path(sys.argv[1]), timeout=0.2).acquire()\n"
    "except LockTimeout:\n    sys.exit(3)\n"
)


def _lock_is_held_elsewhere(home: Home) -> bool:
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, str(home.lock_file)], cwd=PROJECT_ROOT, timeout=60
    )
    return probe.returncode == 3


def _asset(fail: bool) -> dg.AssetsDefinition:
    @dg.asset
    def writes_to_building(yiye: YiyeHome) -> dg.MaterializeResult:
        home = yiye.building_home
        assert os.environ[WAREHOUSE_ENV] == str(home.warehouse)
        assert home.warehouse.name == "warehouse.building.duckdb"
        assert _lock_is_held_elsewhere(home), "the run must hold the warehouse lock"
        con = duckdb.connect(str(home.warehouse))
        con.execute("insert into t values (2)")
        con.close()
        if fail:
            raise RuntimeError("boom")
        return dg.MaterializeResult()

    return writes_to_building


@pytest.mark.parametrize("fail", [False, True])
def test_run_works_on_copy_and_swaps_only_on_success(tmp_path, fail, monkeypatch) -> None:
    monkeypatch.delenv(WAREHOUSE_ENV, raising=False)
    home = Home.resolve(tmp_path / "home").ensure()
    con = duckdb.connect(str(home.warehouse))
    con.execute("create table t as select 1 as x")
    con.close()
    result = dg.materialize(
        [_asset(fail)],
        resources={"yiye": YiyeHome(home=str(home.root), as_of="2024-06-30")},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert result.success is (not fail)
    con = duckdb.connect(str(home.warehouse), read_only=True)
    rows = sorted(r[0] for r in con.execute("select x from t").fetchall())
    con.close()
    assert rows == ([1] if fail else [1, 2])
    assert not (home.root / "warehouse.building.duckdb").exists()
    assert (home.root / "warehouse.failed.duckdb").exists() is fail
    assert WAREHOUSE_ENV not in os.environ  # restored
    assert not _lock_is_held_elsewhere(home)  # released


def test_resource_parameters() -> None:
    res = YiyeHome(home="/tmp/x", as_of="2024-06-30", first_year=2022)
    assert res.years == [2022, 2023, 2024]
    assert res.dbt_vars() == {"as_of": "2024-06-30", "first_year": 2022}
    assert str(res.inbox_path) == "/tmp/x/inbox"
