"""Tier 2: the definitions load, and the schedule, sensor and job behave as specified."""

from __future__ import annotations

import json
import os
from datetime import datetime

import dagster as dg
import pytest

pytestmark = pytest.mark.usefixtures("dbt_manifest")


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from orchestration.definitions import defs

    return defs


def test_definitions_load(defs: dg.Definitions) -> None:
    dg.Definitions.validate_loadable(defs)


def test_ingest_assets_connect_to_dbt_sources(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    for table in ("source_files", "roster_rows", "training_rows", "dq_issues"):
        raw = dg.AssetKey(["raw", table])
        stg = dg.AssetKey(["staging", f"stg_raw__{table}"])
        assert raw in keys and stg in keys
        assert raw in graph.get(stg).parent_keys, f"{stg} is not fed by {raw}"
        assert dg.AssetKey(["inbox", "files"]) in graph.get(raw).parent_keys


def test_groups_follow_dbt_folders(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if key.path[0] in ("staging", "intermediate", "marts", "reference", "raw", "reports"):
            assert node.group_name == key.path[0], (key, node.group_name)


def test_reports_depend_on_marts(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    parents = graph.get(dg.AssetKey(["reports", "assessment"])).parent_keys
    assert parents and all(k.path[0] == "marts" for k in parents)


def test_nightly_job_runs_everything_in_one_process(defs: dg.Definitions) -> None:
    job = defs.resolve_job_def("nightly_job")
    assert job.executor_def is dg.in_process_executor
    graph = defs.resolve_asset_graph()
    in_job = job.asset_layer.asset_graph
    materializable = {k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable}
    assert materializable <= set(in_job.get_all_asset_keys())
    checks = set(in_job.asset_check_keys)
    assert dg.AssetCheckKey(dg.AssetKey(["raw", "roster_rows"]), "gx_expectations") in checks
    # dbt tests are asset checks too
    assert any(k.asset_key.path[0] in ("staging", "intermediate", "marts") for k in checks)


def test_gx_checks_are_blocking(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    key = dg.AssetCheckKey(dg.AssetKey(["raw", "source_files"]), "gx_expectations")
    spec = graph.get_check_spec(key)
    assert spec.blocking is True


def test_nightly_schedule(defs: dg.Definitions) -> None:
    schedule = defs.resolve_schedule_def("nightly")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Asia/Shanghai"
    assert schedule.job_name == "nightly_job"
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime.fromisoformat("2024-07-01T02:00:00+08:00")
    )
    requests = list(schedule.evaluate_tick(context).run_requests or [])
    assert len(requests) == 1
    # next ticks are 02:00 Shanghai = 18:00 UTC the day before
    from dagster._utils.schedules import cron_string_iterator

    ticks = cron_string_iterator(
        datetime.fromisoformat("2024-07-01T12:00:00+08:00").timestamp(),
        schedule.cron_schedule,
        schedule.execution_timezone,
    )
    first = next(ticks)
    assert (first.hour, first.minute, str(first.tzinfo)) == (2, 0, "Asia/Shanghai")
    assert first.date().isoformat() == "2024-07-02"


class _Clock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def test_inbox_sensor_debounces(tmp_path, monkeypatch) -> None:
    import orchestration.sensors as sensors
    from orchestration.definitions import defs

    monkeypatch.setenv("YIYE_HOME", str(tmp_path))
    monkeypatch.setenv("YIYE_INBOX_DEBOUNCE_SECONDS", "60")
    clock = _Clock(1_000_000.0)
    monkeypatch.setattr(sensors, "_now", clock)
    sensor = defs.resolve_sensor_def("inbox_sensor")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    cursor = None

    def tick():
        nonlocal cursor
        ctx = dg.build_sensor_context(cursor=cursor)
        data = sensor.evaluate_tick(ctx)
        cursor = data.cursor if data.cursor is not None else cursor
        return data

    # no files → skip
    data = tick()
    assert not data.run_requests and data.skip_message
    # a clerk starts copying: first file appears → skip (debounce)
    (inbox / "01_高桥村_2024-06.xlsx").write_bytes(b"x" * 10)
    data = tick()
    assert not data.run_requests and "debounc" in data.skip_message
    # 30 s later a second file arrives → still changing → skip
    clock.t += 30
    (inbox / "02_新桥村_2024-06.xlsx").write_bytes(b"y" * 10)
    data = tick()
    assert not data.run_requests
    # 30 s later, unchanged, but not yet quiet for 60 s → skip
    clock.t += 30
    assert not tick().run_requests
    # quiet for 60 s → exactly one run request
    clock.t += 31
    data = tick()
    assert len(data.run_requests) == 1
    run_key = data.run_requests[0].run_key
    assert run_key
    # the request is a valid run of the nightly job (resource defaults: today, $YIYE_HOME)
    job = defs.resolve_job_def("nightly_job")
    dg.validate_run_config(job, data.run_requests[0].run_config)
    # same state again → skip
    clock.t += 600
    data = tick()
    assert not data.run_requests and data.skip_message
    # a changed file (size) → debounce, then one new run with a new key
    (inbox / "02_新桥村_2024-06.xlsx").write_bytes(b"y" * 11)
    assert not tick().run_requests
    clock.t += 61
    data = tick()
    assert len(data.run_requests) == 1 and data.run_requests[0].run_key != run_key
    state = json.loads(cursor)
    assert state["ran"] == state["seen"]
    # office lock files and partial downloads do not count
    (inbox / "~$01_高桥村_2024-06.xlsx").write_bytes(b"lock")
    clock.t += 100
    assert not tick().run_requests


def test_debounce_is_configurable(monkeypatch) -> None:
    from orchestration.sensors import debounce_seconds

    monkeypatch.setenv("YIYE_INBOX_DEBOUNCE_SECONDS", "5")
    assert debounce_seconds() == 5.0
    monkeypatch.delenv("YIYE_INBOX_DEBOUNCE_SECONDS")
    assert debounce_seconds() == 60.0
    assert os.environ.get("YIYE_INBOX_DEBOUNCE_SECONDS") is None
