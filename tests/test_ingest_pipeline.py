"""Pipeline behaviour: archive first, skip by sha256, ingest_seq, one transaction per file."""

from __future__ import annotations

import os
import shutil
from datetime import datetime

import pytest
from corpus.ingest_builders import new_home, person, query, roster_workbook, trainee, training_csv

import ingest.pipeline as pipeline
from ingest.pipeline import ingest_inbox
from yiye.config import TZ

RAW_ROW_TABLES = (
    "roster_rows",
    "referral_rows",
    "training_rows",
    "dq_issues",
    "sheet_accounting",
    "source_files",
)


def _count_for(home, sha: str) -> dict[str, int]:
    return {
        t: query(home, f"select count(*) from raw.{t} where source_sha256 = ?", [sha])[0][0]
        for t in RAW_ROW_TABLES
    }


def test_archive_rename_skip_rerun_and_ingest_seq(tmp_path):
    home = new_home(tmp_path)
    f = roster_workbook(home.inbox / "a.xlsx", [person(1), person(2)])
    mtime = datetime(2024, 7, 3, 9, 30, tzinfo=TZ).timestamp()
    os.utime(f, (mtime, mtime))
    s1 = ingest_inbox(home, run_id="run-1")
    assert (s1.ingest_seq, s1.files_seen, s1.files_new, s1.files_skipped) == (1, 1, 1, 0)
    sha, arch, fm, seq, rid = query(
        home,
        "select source_sha256, archive_path, file_mtime, ingest_seq, "
        "ingest_run_id from raw.source_files",
    )[0]
    assert arch == f"archive/{sha}.xlsx"
    assert (home.root / arch).read_bytes() == f.read_bytes()
    assert fm == datetime(2024, 7, 3, 9, 30)  # Shanghai wall clock
    assert (seq, rid) == (1, "run-1")
    # re-run: nothing new
    s2 = ingest_inbox(home)
    assert (s2.ingest_seq, s2.files_seen, s2.files_new, s2.files_skipped, s2.rows_read) == (
        2,
        1,
        0,
        1,
        0,
    )
    # renamed / copied elsewhere: same content → skipped
    (home.inbox / "later").mkdir()
    shutil.copy(f, home.inbox / "later" / "陆凌村6月台账(改).xlsx")
    f.rename(home.inbox / "renamed.xlsx")
    s3 = ingest_inbox(home)
    assert (s3.ingest_seq, s3.files_seen, s3.files_new, s3.files_skipped) == (3, 2, 0, 2)
    assert query(home, "select count(*) from raw.roster_rows") == [(2,)]
    runs = query(
        home,
        "select ingest_seq, files_seen, files_new, files_skipped, finished_at is not null "
        "from raw.ingest_runs order by 1",
    )
    assert runs == [(1, 1, 1, 0, True), (2, 1, 0, 1, True), (3, 2, 0, 2, True)]
    # a changed file is a new file
    roster_workbook(home.inbox / "renamed.xlsx", [person(1), person(2), person(3)])
    s4 = ingest_inbox(home)
    assert (s4.ingest_seq, s4.files_new) == (4, 1)
    assert query(home, "select ingest_seq, rows_accepted from raw.source_files order by 1") == [
        (1, 2),
        (4, 3),
    ]


def test_same_content_twice_in_one_run_ingested_once(tmp_path):
    home = new_home(tmp_path)
    f = roster_workbook(home.inbox / "a.xlsx", [person(1)])
    shutil.copy(f, home.inbox / "b.xlsx")
    s = ingest_inbox(home)
    assert (s.files_seen, s.files_new, s.files_skipped) == (2, 1, 1)


def test_crash_mid_file_leaves_nothing_then_rerun_ingests_once(tmp_path, monkeypatch):
    home = new_home(tmp_path)
    roster_workbook(home.inbox / "a.xlsx", [person(1), person(2, 身份证号码="bad")])
    training_csv(home.inbox / "b.csv", [trainee(1)])
    real_insert = pipeline._insert

    def failing_insert(con, table, records):
        real_insert(con, table, records)
        if table == "dq_issues" and records and records[0]["source_file"] == "a.xlsx":
            raise RuntimeError("disk full (simulated)")  # after rows and issues were inserted

    monkeypatch.setattr(pipeline, "_insert", failing_insert)
    s1 = ingest_inbox(home)
    assert (s1.files_new, s1.files_failed) == (1, 1)
    assert "a.xlsx" in s1.errors[0]
    sha = query(home, "select source_sha256 from raw.source_files")  # only b.csv
    assert len(sha) == 1
    assert query(home, "select count(*) from raw.roster_rows") == [(0,)]
    assert query(home, "select count(*) from raw.dq_issues") == [(0,)]
    assert query(home, "select count(*) from raw.sheet_accounting") == [(1,)]
    assert (home.logs / "ingest_errors.log").exists()
    monkeypatch.setattr(pipeline, "_insert", real_insert)
    s2 = ingest_inbox(home)
    assert (s2.files_new, s2.files_failed, s2.files_skipped) == (1, 0, 1)
    a_sha = query(home, "select source_sha256 from raw.source_files where file_name = 'a.xlsx'")[0][
        0
    ]
    assert _count_for(home, a_sha) == {
        "roster_rows": 1,
        "referral_rows": 0,
        "training_rows": 0,
        "dq_issues": 1,
        "sheet_accounting": 1,
        "source_files": 1,
    }


class _Killed(BaseException):
    """Simulates the process being killed (not an ordinary exception)."""


def test_hard_crash_propagates_and_rolls_back(tmp_path, monkeypatch):
    home = new_home(tmp_path)
    roster_workbook(home.inbox / "a.xlsx", [person(1)])
    real_insert = pipeline._insert

    def dying_insert(con, table, records):
        real_insert(con, table, records)
        if table == "sheet_accounting":
            raise _Killed()

    monkeypatch.setattr(pipeline, "_insert", dying_insert)
    with pytest.raises(_Killed):
        ingest_inbox(home)
    assert query(home, "select count(*) from raw.roster_rows") == [(0,)]
    assert query(home, "select count(*) from raw.source_files") == [(0,)]
    monkeypatch.setattr(pipeline, "_insert", real_insert)
    s = ingest_inbox(home)
    assert (s.ingest_seq, s.files_new) == (2, 1)
    assert query(home, "select count(*) from raw.roster_rows") == [(1,)]


def test_progress_messages_and_missing_inbox(tmp_path):
    home = new_home(tmp_path)
    roster_workbook(home.inbox / "a.xlsx", [person(1), None])
    (home.inbox / "x.xlsx").write_bytes(b"")
    msgs: list[str] = []
    ingest_inbox(home, progress=msgs.append)
    assert msgs == [
        "已读取 a.xlsx：1 行（接收 1，拒收 0，忽略 0）",
        "已拒收 x.xlsx：文件为空，没有可读取的内容",
    ]
    s = ingest_inbox(home, tmp_path / "does-not-exist")
    assert (s.files_seen, s.files_new) == (0, 0)


def test_parallel_parsing_gives_identical_rows(tmp_path, monkeypatch):
    """Worker processes (YIYE_INGEST_WORKERS) change nothing but speed; order is kept."""
    results = {}
    monkeypatch.setenv("YIYE_PERSON_KEY", "test-key")
    for workers in ("1", "2"):
        monkeypatch.setenv("YIYE_INGEST_WORKERS", workers)
        home = new_home(tmp_path / f"w{workers}")
        for k in range(6):
            roster_workbook(
                home.inbox / f"v{k}.xlsx",
                [person(i + k) for i in range(1, 4)],
                period=f"2024-0{k + 1}",
            )
        training_csv(home.inbox / "t.csv", [trainee(1), trainee(1)])
        (home.inbox / "zz.xlsx").write_bytes(b"")
        s = ingest_inbox(home)
        assert (s.files_new, s.files_failed, s.files_rejected) == (8, 0, 1)
        results[workers] = (
            query(
                home,
                "select source_file, status, rows_read, rows_accepted, rows_rejected from raw.source_files "
                "order by source_file",
            ),
            query(
                home,
                "select source_file, row_number, person_key from raw.roster_rows order by 1, 2",
            ),
            query(
                home,
                "select source_file, row_number, rule_code, message from raw.dq_issues order by 1, 2",
            ),
        )
    assert results["1"] == results["2"]


def test_batched_writes_keep_each_file_all_or_nothing(tmp_path, monkeypatch):
    """Files are written several per transaction; a failing file in a batch fails only
    itself (the batch is retried file by file), the others land complete."""
    monkeypatch.setattr(pipeline, "BATCH_FILES", 2)
    home = new_home(tmp_path)
    for i in range(5):
        roster_workbook(
            home.inbox / f"r{i}.xlsx",
            [person(10 * i + 1), person(10 * i + 2)],
            period=f"2024-0{i + 1}",
        )
    real_insert = pipeline._insert
    calls = []

    def failing_insert(con, table, records):
        calls.append((table, len(records)))
        real_insert(con, table, records)
        if table == "source_files" and any(r["source_file"] == "r2.xlsx" for r in records):
            raise RuntimeError("disk full (simulated)")

    monkeypatch.setattr(pipeline, "_insert", failing_insert)
    s = ingest_inbox(home)
    assert (s.files_new, s.files_failed) == (4, 1) and "r2.xlsx" in s.errors[0]
    # batches of two: r0+r1 in one insert of 4 roster rows
    assert ("roster_rows", 4) in calls
    assert query(home, "select source_file from raw.source_files order by 1") == [
        ("r0.xlsx",),
        ("r1.xlsx",),
        ("r3.xlsx",),
        ("r4.xlsx",),
    ]
    assert query(home, "select count(*) from raw.roster_rows") == [(8,)]
    assert query(home, "select count(*) from raw.sheet_accounting") == [(4,)]
    monkeypatch.setattr(pipeline, "_insert", real_insert)
    s2 = ingest_inbox(home)
    assert (s2.files_new, s2.files_skipped) == (1, 4)
    assert query(home, "select count(*) from raw.roster_rows") == [(10,)]
