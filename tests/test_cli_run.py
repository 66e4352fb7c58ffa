"""`yiye` CLI: exit codes, failed runs publish nothing, the lock, killed runs, status."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from yiye.cli import main
from yiye.config import PROJECT_ROOT, Home
from yiye.locking import WarehouseLock
from yiye.runlog import read_runs

ENV_KEYS = ("YIYE_HOME", "YIYE_WAREHOUSE", "DAGSTER_HOME", "YIYE_LOCK_TIMEOUT")
RAW_ID = re.compile(r"\d{17}[\dX]")


@pytest.fixture(autouse=True)
def _restore_env(monkeypatch):
    # run_nightly exports the home's environment into this process; undo it after each test
    for key in ENV_KEYS:
        if key in os.environ:
            monkeypatch.setenv(key, os.environ[key])
        else:
            monkeypatch.delenv(key, raising=False)


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
    return {**env, "YIYE_HOME": str(home), "PYTHONUNBUFFERED": "1", **extra}


def _yiye() -> list[str]:
    return [sys.executable, "-m", "yiye.cli"]


def _marker_warehouse(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute("create table previous_marker as select 42 as answer")
    con.close()


@pytest.mark.parametrize(
    "argv",
    [[], ["frobnicate"], ["run", "--as-of", "2024-13-01"], ["audit-pack"], ["run", "--bogus"]],
)
def test_bad_usage_exits_2(argv, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2


def test_failed_run_exits_1_and_keeps_previous_warehouse(tmp_path, capsys) -> None:
    home = Home.resolve(tmp_path / "home").ensure()
    garbage = b"this is not a duckdb file\n" * 100
    home.warehouse.write_bytes(garbage)
    code = main(["run", "--home", str(home.root), "--as-of", "2024-06-30", "--quiet"])
    err = capsys.readouterr().err
    assert code == 1
    assert "运行失败" in err and "原因" in err
    assert home.warehouse.read_bytes() == garbage  # untouched
    assert not list(home.root.glob("warehouse.building*"))  # no leftovers
    assert (home.root / "warehouse.failed.duckdb").read_bytes() == garbage  # kept to inspect
    last = read_runs(home)[-1]
    assert last["status"] == "failed" and last["ok"] is False and last["error"]
    assert last["as_of"] == "2024-06-30" and last["run_id"]
    assert "运行失败" in (home.logs / "yiye.log").read_text(encoding="utf-8")
    assert not list(home.reports.rglob("*.xlsx"))


def test_second_concurrent_run_waits_then_exits_1(tmp_path, capsys) -> None:
    home = Home.resolve(tmp_path / "home").ensure()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from yiye.locking import WarehouseLock;"
            "l = WarehouseLock(Path(sys.argv[1])); l.acquire(); print('held', flush=True);"
            "time.sleep(60)",
            str(home.lock_file),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        env = _env(home.root, YIYE_LOCK_TIMEOUT="1.5")
        t0 = time.monotonic()
        proc = subprocess.run(
            [*_yiye(), "run", "--home", str(home.root), "--as-of", "2024-06-30"],
            env=env,
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
            timeout=120,
        )
        waited = time.monotonic() - t0
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == 1, proc.stderr
    assert "另一个任务正在写入数据仓库" in proc.stderr
    assert "Another run holds the warehouse lock" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert waited >= 1.5
    last = read_runs(home)[-1]
    assert last["status"] == "locked" and last["run_id"] is None
    # the holder is gone → the lock is free again without any cleanup
    with WarehouseLock(home.lock_file, timeout=2):
        pass


def test_lock_is_reentrant_in_process_and_exclusive_across(tmp_path) -> None:
    path = tmp_path / ".warehouse.lock"
    with WarehouseLock(path, timeout=0), WarehouseLock(path, timeout=0):
        probe = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from pathlib import Path; from yiye.locking import *\n"
                "try:\n    WarehouseLock(Path(sys.argv[1]), timeout=0.3).acquire()\n"
                "except LockTimeout:\n    sys.exit(3)\n",
                str(path),
            ],
            cwd=PROJECT_ROOT,
            timeout=60,
        )
        assert probe.returncode == 3
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from yiye.locking import *\n"
            "WarehouseLock(Path(sys.argv[1]), timeout=0.3).acquire()\n",
            str(path),
        ],
        cwd=PROJECT_ROOT,
        timeout=60,
    )
    assert probe.returncode == 0


@pytest.mark.slow
def test_killed_run_leaves_previous_warehouse_and_next_run_recovers(tmp_path, dbt_manifest):
    import dagster as dg

    from ingest.demo.generator import generate_inbox

    home = Home.resolve(tmp_path / "home").ensure()
    _marker_warehouse(home.warehouse)
    before = home.warehouse.read_bytes()
    generate_inbox(home.inbox, scale=3, villages=3, end="2024-06-30")
    proc = subprocess.Popen(
        [*_yiye(), "run", "--home", str(home.root), "--as-of", "2024-06-30"],
        env=_env(home.root),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        cwd=PROJECT_ROOT,
    )
    seen = []
    try:
        for line in proc.stderr:  # wait until the run is building (mid-way)
            seen.append(line)
            if "dbt 建库" in line:
                break
        else:
            pytest.fail("run ended before reaching dbt: " + "".join(seen))
        time.sleep(1.0)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    # the published warehouse is exactly the previous one
    assert home.warehouse.read_bytes() == before
    assert (home.root / "warehouse.building.duckdb").exists()  # the abandoned copy
    assert not list(home.reports.rglob("*.xlsx"))
    # the lock died with the process
    with WarehouseLock(home.lock_file, timeout=1):
        pass

    # next run: no manual cleanup needed
    code = main(["run", "--home", str(home.root), "--as-of", "2024-06-30", "--quiet"])
    assert code == 0, read_runs(home)[-1]
    assert not (home.root / "warehouse.building.duckdb").exists()
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        assert con.execute("select answer from previous_marker").fetchone() == (42,)
        assert con.execute("select count(*) from raw.source_files").fetchone()[0] > 0
    finally:
        con.close()
    assert list(home.reports.rglob("assessment_2024.xlsx"))
    # the killed Dagster run is marked failed, so the UI shows no phantom "running" run
    instance = dg.DagsterInstance.from_config(str(home.dagster_home))
    try:
        runs = instance.get_runs()
        statuses = sorted(r.status.value for r in runs)
        assert statuses == ["FAILURE", "SUCCESS"], statuses
    finally:
        instance.dispose()


def test_status_without_warehouse(tmp_path, capsys) -> None:
    assert main(["status", "--home", str(tmp_path / "empty")]) == 0
    out = capsys.readouterr().out
    assert "最近一次运行" in out and "无" in out
    assert "尚未建立" in out


@pytest.mark.slow
def test_status_after_a_run(built_home: Home, capsys) -> None:
    assert main(["status", "--home", str(built_home.root)]) == 0
    out = capsys.readouterr().out
    assert "最近一次成功" in out and "成功" in out
    assert "基准日 2024-06-30" in out
    assert re.search(r"文件 \(files\): 共 \d+ 个", out)
    assert "2024 年度全镇指标（草稿，截至 2024-06-30）" in out
    assert "社区总体就业率" in out and "%" in out
    assert not RAW_ID.search(out), "status must not print raw IDs"


@pytest.mark.slow
def test_built_home_has_everything(built_home: Home) -> None:
    runs = read_runs(built_home)
    last = runs[-1]
    assert last["ok"] and last["status"] == "success"
    assert last["files_ingested"] and last["files_ingested"] > 0
    assert last["code_version"]
    for year in (2022, 2023, 2024):
        assert built_home.report_path(year).exists()
        assert built_home.report_path(year, "data_quality").exists()
    assert not list(built_home.reports.rglob("*.tmp*"))
    assert built_home.warehouse.exists()
    assert not (built_home.root / "warehouse.building.duckdb").exists()
    for name in ("manifest.json", "run_results.json", "catalog.json", "index.html"):
        assert (built_home.lineage / name).exists(), name
    results = json.loads((built_home.lineage / "run_results.json").read_text())
    assert results["args"]["which"] == "build"
    assert (
        json.loads(
            results["args"]["vars"]
            if isinstance(results["args"]["vars"], str)
            else json.dumps(results["args"]["vars"])
        )["as_of"]
        == "2024-06-30"
    )


def _dagster_runs(home: Home) -> int:
    import dagster as dg

    instance = dg.DagsterInstance.from_config(str(home.dagster_home))
    try:
        return instance.get_runs_count()
    finally:
        instance.dispose()


@pytest.mark.slow
def test_nothing_new_skips_the_rebuild_and_force_rebuilds(tmp_path, capsys, dbt_manifest):
    from ingest.demo.generator import generate_inbox
    from yiye.uptodate import read_build_state

    home = Home.resolve(tmp_path / "home").ensure()
    generate_inbox(home.inbox, scale=2, villages=2, end="2024-06-30")
    run = ["run", "--home", str(home.root), "--as-of", "2024-06-30"]
    assert main([*run, "--quiet"]) == 0, read_runs(home)[-1]
    state = read_build_state(home)
    assert state["as_of"] == "2024-06-30" and state["run_id"] == read_runs(home)[-1]["run_id"]
    built = {
        p: p.stat().st_mtime_ns
        for p in [home.warehouse, home.lineage / "run_results.json", *home.reports.rglob("*.xlsx")]
    }
    assert len(built) == 2 + 6  # 2022..2024, two workbooks each
    runs_before = _dagster_runs(home)
    capsys.readouterr()

    # nothing new: no Dagster run, no dbt, nothing rewritten; exit 0, said in Chinese
    assert main(run) == 0
    out = capsys.readouterr().out
    assert "没有新文件，数据与报表已是最新" in out
    assert str(home.report_path(2024)) in out and str(home.report_path(2022, "data_quality")) in out
    last = read_runs(home)[-1]
    assert last["status"] == "up_to_date" and last["ok"] is True and last["run_id"] is None
    assert last["files_ingested"] == 0 and last["files_seen"] > 0
    assert _dagster_runs(home) == runs_before
    assert {p: p.stat().st_mtime_ns for p in built} == built
    assert main(["status", "--home", str(home.root)]) == 0
    status = capsys.readouterr().out
    assert "最近一次运行 (last run):     " in status and "已是最新（没有新文件，未重建）" in status
    assert "最近一次失败 (last failure): 无" in status  # up to date is not a failure
    assert "最近一次成功 (last success):" in status and "新文件" in status

    # --force rebuilds anyway
    assert main([*run, "--force", "--quiet"]) == 0
    last = read_runs(home)[-1]
    assert last["status"] == "success" and last["run_id"]
    assert _dagster_runs(home) == runs_before + 1
    assert home.report_path(2024).stat().st_mtime_ns != built[home.report_path(2024)]
    assert read_build_state(home)["run_id"] == last["run_id"]
