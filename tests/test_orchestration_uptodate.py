"""The up-to-date fast path (yiye/uptodate.py): the decision, the sha256 cache, and the
schedule and sensor skipping when nothing changed.

The home here is real up to the raw layer (a real ingest); the workbooks only need to exist
for the decision, so they are placeholder files. The end-to-end CLI behaviour (no dbt, exit
0, status) is in tests/test_cli_run.py."""

from __future__ import annotations

import json
import os
import shutil
from datetime import date, datetime

import dagster as dg
import pytest
from corpus.ingest_builders import new_home, person, roster_workbook

from ingest.hashcache import HashCache, cache_path
from ingest.pipeline import ingest_inbox
from yiye.uptodate import (
    build_inputs,
    check_up_to_date,
    dbt_fingerprint,
    expected_reports,
    read_build_state,
    write_build_state,
)

AS_OF = date(2024, 6, 30)


@pytest.fixture
def home(tmp_path, monkeypatch):
    home = new_home(tmp_path)
    monkeypatch.setenv("YIYE_HOME", str(home.root))
    roster_workbook(home.inbox / "村居台账" / "陆凌村202406.xlsx", [person(1), person(2)])
    ingest_inbox(home)
    for p in expected_reports(home, AS_OF, 2022):
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"workbook")
    write_build_state(home, build_inputs(AS_OF, 2022), "run-1")
    return home


def test_up_to_date_when_nothing_changed(home) -> None:
    check = check_up_to_date(home, as_of=AS_OF)
    assert check.up_to_date, check.reason
    assert check.files_seen == 1 and check.new_files == []
    assert len(check.reports) == 6  # 2022..2024 × two workbooks
    assert read_build_state(home)["run_id"] == "run-1"


def test_same_content_under_another_name_or_touched_is_not_new(home) -> None:
    src = home.inbox / "村居台账" / "陆凌村202406.xlsx"
    shutil.copy(src, home.inbox / "副本 陆凌村202406.xlsx")
    os.utime(src, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    check = check_up_to_date(home, as_of=AS_OF)
    assert check.up_to_date, check.reason
    assert check.files_seen == 2


def test_new_file_means_rebuild(home) -> None:
    roster_workbook(
        home.inbox / "村居台账" / "陆凌村202405.xlsx", [person(1)], period="2024-05"
    )
    check = check_up_to_date(home, as_of=AS_OF)
    assert not check.up_to_date
    assert check.new_files == ["村居台账/陆凌村202405.xlsx"]


@pytest.mark.parametrize(
    "change",
    ["as_of", "first_year", "code_version", "dbt_fingerprint", "report", "state", "warehouse"],
)
def test_any_other_change_means_rebuild(home, change) -> None:
    as_of, first_year = AS_OF, 2022
    if change == "as_of":
        as_of = date(2024, 7, 1)  # a new day: R(Y) moves
    elif change == "first_year":
        first_year = 2023
    elif change in ("code_version", "dbt_fingerprint"):
        state = read_build_state(home)
        state[change] = "something else"
        write_build_state(home, {k: v for k, v in state.items() if k != "run_id"}, "run-1")
    elif change == "report":
        home.report_path(2023, "data_quality").unlink()
    elif change == "state":
        (home.lineage / "build_state.json").unlink()
    elif change == "warehouse":
        home.warehouse.unlink()
    check = check_up_to_date(home, as_of=as_of, first_year=first_year)
    assert not check.up_to_date
    if change in ("as_of", "first_year", "code_version", "dbt_fingerprint"):
        assert change in check.reason


def test_dbt_fingerprint_follows_content(tmp_path) -> None:
    proj = tmp_path / "dbt"
    (proj / "models").mkdir(parents=True)
    (proj / "dbt_project.yml").write_text("name: x\n")
    (proj / "models" / "a.sql").write_text("select 1")
    (proj / "target").mkdir()
    first = dbt_fingerprint(proj)
    (proj / "target" / "manifest.json").write_text("{}")  # build output: ignored
    os.utime(proj / "models" / "a.sql")  # touched only: same content
    assert dbt_fingerprint(proj) == first
    (proj / "models" / "a.sql").write_text("select 2")
    assert dbt_fingerprint(proj) != first


def test_hash_cache_rereads_only_changed_files(tmp_path) -> None:
    f = tmp_path / "a.xlsx"
    f.write_bytes(b"one")
    cache = HashCache(tmp_path / "c.json")
    first = cache.sha256(f)
    assert cache.hashed == 1
    cache.save()
    st = f.stat()
    # same size and mtime_ns, different bytes: the cache answers without reading the file
    f.write_bytes(b"two")
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
    again = HashCache(tmp_path / "c.json")
    assert again.sha256(f) == first and again.hashed == 0
    # any change of mtime: hashed again
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    assert again.sha256(f) != first and again.hashed == 1
    two = again.sha256(f)
    again.save()
    third = HashCache(tmp_path / "c.json")  # only the entries looked up are kept
    assert third.sha256(f) == two and third.hashed == 0
    third.save()
    assert list(json.loads((tmp_path / "c.json").read_text()).values()) == [two]


def test_ingest_uses_the_cache(tmp_path) -> None:
    home = new_home(tmp_path)
    roster_workbook(home.inbox / "r.xlsx", [person(1)])
    ingest_inbox(home)
    cached = json.loads(cache_path(home.root).read_text())
    assert len(cached) == 1
    summary = ingest_inbox(home)  # the second ingest finds the file known via the cache
    assert summary.files_skipped == 1 and summary.files_new == 0


def _tick(schedule, when: str):
    ctx = dg.build_schedule_context(scheduled_execution_time=datetime.fromisoformat(when))
    return schedule.evaluate_tick(ctx)


def test_schedule_skips_when_up_to_date_and_runs_on_a_new_day(home) -> None:
    from orchestration.definitions import defs

    schedule = defs.resolve_schedule_def("nightly")
    data = _tick(schedule, "2024-06-30T02:00:00+08:00")
    assert not data.run_requests
    assert "没有新文件，数据与报表已是最新" in data.skip_message
    # 02:00 Shanghai the next day = 18:00 UTC: as_of is the Shanghai date → rebuild
    data = _tick(schedule, "2024-06-30T18:00:00+00:00")
    assert len(data.run_requests) == 1
    config = data.run_requests[0].run_config
    assert config["resources"]["yiye"]["config"]["as_of"] == "2024-07-01"
    dg.validate_run_config(defs.resolve_job_def("nightly_job"), config)
    # a new file: the same day is rebuilt too
    roster_workbook(home.inbox / "新.xlsx", [person(3)], period="2024-05")
    assert len(_tick(schedule, "2024-06-30T02:00:00+08:00").run_requests) == 1


def test_sensor_skips_a_settled_change_without_new_content(home) -> None:
    from orchestration.sensors import evaluate_inbox

    calls = []

    def up_to_date():
        calls.append(1)
        check = check_up_to_date(home, as_of=AS_OF)
        return "没有新文件" if check.up_to_date else None

    shutil.copy(home.inbox / "村居台账" / "陆凌村202406.xlsx", home.inbox / "副本.xlsx")
    key, skip, cursor = evaluate_inbox(None, home.inbox, 1000.0, 60, up_to_date)
    assert key is None and "debounc" in skip and calls == []  # not settled: no hashing
    key, skip, cursor = evaluate_inbox(cursor, home.inbox, 1100.0, 60, up_to_date)
    assert key is None and skip == "没有新文件" and calls == [1]
    assert json.loads(cursor)["ran"] == json.loads(cursor)["seen"]  # not re-evaluated
    key, skip, cursor = evaluate_inbox(cursor, home.inbox, 1200.0, 60, up_to_date)
    assert key is None and calls == [1]
    roster_workbook(home.inbox / "新.xlsx", [person(3)], period="2024-05")
    key, skip, cursor = evaluate_inbox(cursor, home.inbox, 1300.0, 60, up_to_date)
    key, skip, cursor = evaluate_inbox(cursor, home.inbox, 1400.0, 60, up_to_date)
    assert key is not None and skip is None
