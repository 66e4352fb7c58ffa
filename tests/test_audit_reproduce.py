"""Reproduction: workbook comparison (unit) and rebuilding a year from the archive (e2e)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from reports.assessment import MANIFEST_LABEL
from yiye.audit import compare_workbooks, reproduce_year, run_specific_values
from yiye.config import Home


def _wb(path: Path, run_id: str, generated: object, value: int) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "总体指标"
    ws.append(["指标", "分子"])
    ws.append(["EMP_RATE", value])
    meta = wb.create_sheet("数据血缘")
    meta.append(["运行编号", run_id])
    meta.append(["生成时间", generated])
    wb.save(path)
    return path


def test_compare_ignores_run_id_and_generation_time(tmp_path: Path) -> None:
    a = _wb(tmp_path / "a.xlsx", "run-a", datetime(2024, 7, 1, 2, 0), 5)
    b = _wb(tmp_path / "b.xlsx", "run-b", datetime(2024, 7, 2, 3, 0), 5)
    assert compare_workbooks(a, b, ignore=["run-a", "run-b"]) == []
    # without the run ids the run-id cell differs
    assert compare_workbooks(a, b) == ["数据血缘!R1C2: 'run-a' != 'run-b'"]
    # a timestamp written as text is also a generation time
    c = _wb(tmp_path / "c.xlsx", "run-c", "2024-07-03 04:05:06", 5)
    d = _wb(tmp_path / "d.xlsx", "run-d", "2024-07-09 04:05:06", 5)
    assert compare_workbooks(c, d, ignore=["run-c", "run-d"]) == []


def test_compare_reports_a_changed_figure(tmp_path: Path) -> None:
    a = _wb(tmp_path / "a.xlsx", "r", datetime(2024, 7, 1), 5)
    b = _wb(tmp_path / "b.xlsx", "r", datetime(2024, 7, 1), 6)
    assert compare_workbooks(a, b) == ["总体指标!R2C2: 5 != 6"]


@pytest.mark.slow
def test_reproduce_year_from_the_archive(built_home: Home, tmp_path: Path) -> None:
    from yiye.versioning import load_run_record

    original = built_home.report_path(2024)
    if not original.exists():
        pytest.fail("the nightly run wrote no assessment workbook")
    record = load_run_record(built_home)
    assert record is not None
    rebuilt = reproduce_year(built_home, 2024, record, tmp_path / "repro")
    new_record = load_run_record(Home.resolve(tmp_path / "repro"))
    assert new_record is not None and new_record["run_id"] != record["run_id"]
    assert [f["source_sha256"] for f in new_record["source_files"]] == [
        f["source_sha256"] for f in record["source_files"]
    ]
    ignore = run_specific_values(record) + run_specific_values(new_record)
    if record["code_version"] != new_record["code_version"]:
        # not a difference the reproduction may have: the shared checkout got a new commit
        # between the two runs (developers committing while the suite runs)
        ignore += [record["code_version"], new_record["code_version"]]
    assert compare_workbooks(original, rebuilt, ignore=ignore) == []
    # what run_specific_values adds beyond the run ids: only the manifest-hash cell of
    # 数据血缘, each workbook showing its own run's manifest
    hashes = (record["dbt_manifest_sha256"], new_record["dbt_manifest_sha256"])
    label_row = _row_of(rebuilt, "数据血缘", MANIFEST_LABEL)
    diffs = compare_workbooks(original, rebuilt, ignore=[record["run_id"], new_record["run_id"]])
    assert set(diffs) <= {f"数据血缘!R{label_row}C2: {hashes[0]!r} != {hashes[1]!r}"}, diffs
    assert _row_of(original, "数据血缘", hashes[0]) == label_row
    assert _row_of(rebuilt, "数据血缘", hashes[1]) == label_row


def _row_of(path: Path, sheet: str, value: str) -> int:
    """The row where ``value`` is in column A (a label) or B (its value)."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        rows = wb[sheet].iter_rows(max_col=2, values_only=True)
        return next(i for i, r in enumerate(rows, 1) if value in r)
    finally:
        wb.close()
