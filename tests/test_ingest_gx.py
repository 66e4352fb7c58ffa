"""Great Expectations suites on the raw tables (ingest/gx_checks.py)."""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pytest
from corpus.ingest_builders import (
    enterprise,
    new_home,
    person,
    query,
    register_workbook,
    roster_workbook,
    trainee,
    training_csv,
)

from ingest.gx_checks import run_gx_suites, store_gx_results
from ingest.pipeline import ingest_inbox


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    home = new_home(tmp_path_factory.mktemp("gx"))
    roster_workbook(home.inbox / "r.xlsx", [person(1), person(2, 身份证号码="bad")])
    register_workbook(home.inbox / "e.xlsx", [enterprise(1)])
    training_csv(home.inbox / "t.csv", [trainee(1)])
    ingest_inbox(home)
    return home


def test_all_suites_pass_on_clean_ingest_and_are_stored(warehouse):
    results = run_gx_suites(warehouse.warehouse, today=date(2026, 1, 1))
    tables = {r.table for r in results}
    assert tables == {
        "source_files",
        "sheet_accounting",
        "roster_rows",
        "referral_rows",
        "enterprises",
        "startup_support",
        "vacancies",
        "training_rows",
        "dq_issues",
    }
    failed = [(r.table, r.expectation, r.column, r.details) for r in results if not r.success]
    assert failed == []
    kinds = {r.expectation for r in results}
    assert {
        "expect_column_to_exist",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_be_between",
        "expect_column_values_to_not_be_null",
    } <= kinds
    store_gx_results(warehouse.warehouse, results)
    assert query(warehouse, "select count(*), bool_and(success) from raw.gx_results") == [
        (len(results), True)
    ]


def test_suites_catch_bad_rows_without_leaking_ids(warehouse, tmp_path):
    import shutil

    wh = tmp_path / "copy.duckdb"
    shutil.copy(warehouse.warehouse, wh)
    con = duckdb.connect(str(wh))
    con.execute(
        "update raw.roster_rows set id_number = '310115198001011230', employment_status = '打工', "
        "tags = '|外星人|'"
    )
    con.execute("update raw.dq_issues set bad_value_masked = '13812345678'")
    con.close()
    results = run_gx_suites(wh, today=date(2026, 1, 1))
    failed = {(r.table, r.expectation, r.column) for r in results if not r.success}
    assert ("roster_rows", "expect_column_values_to_be_in_set", "employment_status") in failed
    assert ("roster_rows", "expect_column_values_to_match_regex", "tags") in failed
    assert ("dq_issues", "expect_column_values_to_not_match_regex", "bad_value_masked") in failed
    for r in results:
        assert "13812345678" not in r.details
        json.loads(r.details)
    status = next(r for r in results if r.column == "employment_status" and not r.success)
    assert status.unexpected_count == 1
    assert status.severity == "error"


def test_large_tables_validated_in_chunks(warehouse, tmp_path, monkeypatch):
    """Tables are read in bounded chunks; counts are summed over all chunks."""
    import shutil

    import ingest.gx_checks as gxc

    monkeypatch.setattr(gxc, "CHUNK_VECTORS", 1)  # 2,048 rows per chunk
    wh = tmp_path / "big.duckdb"
    shutil.copy(warehouse.warehouse, wh)
    con = duckdb.connect(str(wh))
    con.execute(
        "insert into raw.roster_rows select r.* replace (r.row_number + t.i as row_number) "
        "from raw.roster_rows r, range(1, 5000) t(i)"
    )
    assert con.execute("select count(*) from raw.roster_rows").fetchone()[0] == 5000
    # two bad statuses, far apart (different chunks)
    con.execute(
        "update raw.roster_rows set employment_status = '打工' where row_number in (5, 4800)"
    )
    con.close()
    results = run_gx_suites(wh, today=date(2026, 1, 1))
    status = [r for r in results if r.table == "roster_rows" and r.column == "employment_status"]
    in_set = next(r for r in status if r.expectation == "expect_column_values_to_be_in_set")
    assert (in_set.success, in_set.unexpected_count) == (False, 2)
    not_null = next(r for r in status if r.expectation == "expect_column_values_to_not_be_null")
    assert (not_null.success, not_null.unexpected_count) == (True, 0)
    assert len([r for r in results if r.table == "roster_rows"]) == len(
        [r for r in run_gx_suites(warehouse.warehouse) if r.table == "roster_rows"]
    )


def test_only_the_latest_ingest_is_validated_unless_scope_all(tmp_path):
    """The nightly cost follows the new files: rows of earlier ingest runs (validated when
    they arrived) are not re-validated; source_files is always validated whole."""
    home = new_home(tmp_path)
    roster_workbook(home.inbox / "old.xlsx", [person(1), person(2)])
    ingest_inbox(home)
    roster_workbook(home.inbox / "new.xlsx", [person(3)], period="2024-05")
    ingest_inbox(home)
    con = duckdb.connect(str(home.warehouse))
    old_sha = con.execute(
        "select source_sha256 from raw.source_files where source_file = 'old.xlsx'"
    ).fetchone()[0]
    con.execute(
        "update raw.roster_rows set employment_status = '打工' where source_sha256 = ?", [old_sha]
    )
    con.close()

    def status_in_set(results):
        return next(
            r
            for r in results
            if r.table == "roster_rows"
            and r.column == "employment_status"
            and r.expectation == "expect_column_values_to_be_in_set"
        )

    latest = run_gx_suites(home.warehouse, today=date(2026, 1, 1))
    assert [(r.table, r.column) for r in latest if not r.success] == []
    assert status_in_set(latest).success
    full = run_gx_suites(home.warehouse, today=date(2026, 1, 1), scope="all")
    assert (status_in_set(full).success, status_in_set(full).unexpected_count) == (False, 2)
    # source_files (one row per file) is validated whole even in the latest scope
    con = duckdb.connect(str(home.warehouse))
    con.execute("update raw.source_files set status = 'weird' where source_sha256 = ?", [old_sha])
    con.close()
    latest = run_gx_suites(home.warehouse, today=date(2026, 1, 1))
    status = next(r for r in latest if r.table == "source_files" and r.column == "status"
                  and r.expectation == "expect_column_values_to_be_in_set")
    assert (status.success, status.unexpected_count) == (False, 1)
