"""publish_reports: both workbooks per year, atomic replace, failure leaves the old file."""

from __future__ import annotations

from datetime import datetime

import openpyxl
import pytest
from fixtures.marts_fixture import create_marts_db

import reports.publish as publish
from yiye.config import Home


@pytest.fixture
def home(tmp_path) -> Home:
    h = Home(tmp_path / "home").ensure()
    create_marts_db(h.warehouse)
    return h


def test_publish_writes_both_workbooks_per_year(home):
    paths = publish.publish_reports(
        home, [2023, 2024], run_id="r1", code_version="v1", generated_at=datetime(2024, 7, 1)
    )
    assert paths == [
        home.report_path(2023, "assessment"),
        home.report_path(2023, "data_quality"),
        home.report_path(2024, "assessment"),
        home.report_path(2024, "data_quality"),
    ]
    assert all(p.exists() for p in paths)
    assert openpyxl.load_workbook(paths[2]).sheetnames[0] == "封面"
    assert sorted(p.name for p in paths[2].parent.iterdir()) == [
        "assessment_2024.xlsx",
        "data_quality_2024.xlsx",
    ]


def test_failed_build_leaves_previous_file_and_no_temp(home, monkeypatch):
    publish.publish_reports(home, [2024], run_id="old", code_version="v1")
    target = home.report_path(2024, "assessment")
    before = target.read_bytes()

    def half_then_fail(con, year, out_path, **kw):
        out_path.write_bytes(b"half a workbook")
        raise RuntimeError("boom")

    monkeypatch.setattr(publish, "build_assessment_workbook", half_then_fail)
    with pytest.raises(RuntimeError, match="boom"):
        publish.publish_reports(home, [2024], run_id="new", code_version="v2")
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir()) == [
        "assessment_2024.xlsx",
        "data_quality_2024.xlsx",
    ]


def _manifest_cell(path) -> object:
    from reports.assessment import MANIFEST_LABEL

    ws = openpyxl.load_workbook(path)["数据血缘"]
    return next(r[1] for r in ws.iter_rows(values_only=True) if r[0] == MANIFEST_LABEL)


def test_lineage_per_year_reaches_each_workbook(home):
    shared = {"dbt_manifest_sha256": "0" * 64, "models_by_indicator": {}}
    per_year = {2024: {"dbt_manifest_sha256": "4" * 64, "models_by_indicator": {}}}
    publish.publish_reports(
        home, [2023, 2024], run_id="r", code_version="v", lineage=shared, lineage_by_year=per_year
    )
    assert _manifest_cell(home.report_path(2024, "assessment")) == "4" * 64
    # a year missing from lineage_by_year falls back to the shared lineage
    assert _manifest_cell(home.report_path(2023, "assessment")) == "0" * 64
