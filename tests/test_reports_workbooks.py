"""Assessment and data-quality workbooks against a hand-made marts fixture."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest
from fixtures.marts_fixture import N1, N2, V1, V2, create_marts_db

from reports.assessment import MANIFEST_LABEL, MODELS_HEADER, SHEETS, build_assessment_workbook
from reports.data_quality import build_data_quality_workbook
from reports.hints import FIX_HINTS, GENERIC_HINT

T0 = datetime(2024, 7, 1, 2, 0, 0)


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return create_marts_db(tmp_path_factory.mktemp("marts") / "warehouse.duckdb")


@pytest.fixture(scope="module")
def con(db):
    c = duckdb.connect(str(db), read_only=True)
    yield c
    c.close()


def _build(
    con,
    tmp: Path,
    year: int,
    run_id: str = "run-1",
    at: datetime = T0,
    lineage: dict | None = None,
) -> Path:
    return build_assessment_workbook(
        con, year, tmp / f"a_{year}_{run_id}.xlsx", run_id=run_id, code_version="abc123",
        generated_at=at, lineage=lineage,
    )  # fmt: skip


# what yiye.audit.lineage_for_workbook returns (hand-made)
LINEAGE = {
    "models_by_indicator": {"community_employment_rate": ["int_a", "stg_b", "villages"]},
    "dbt_manifest_sha256": "a" * 64,
    "run_id": "run-A",
    "as_of": "2024-06-30",
    "code_version": "abc123",
}


@pytest.fixture(scope="module")
def wb2024(con, tmp_path_factory):
    return openpyxl.load_workbook(_build(con, tmp_path_factory.mktemp("a"), 2024))


def _rows(ws, start: int = 2):
    return [r for r in ws.iter_rows(min_row=start, values_only=True)]


def test_sheet_names_and_structure(wb2024):
    assert wb2024.sheetnames == SHEETS
    ws = wb2024["总体指标"]
    assert [c.value for c in ws[1]][:8] == [
        "指标", "分子", "分母", "排除", "实际值", "目标", "是否达标", "较上年",
    ]  # fmt: skip
    for name in SHEETS[1:]:
        ws = wb2024[name]
        assert ws.freeze_panes == "A2", name
        assert ws.print_title_rows == "$1:$1", name
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws["A1"].font.name == "等线"
        # header widths show Chinese headers whole (CJK = 2 units)
        for c in ws[1]:
            if c.value:
                width = ws.column_dimensions[c.column_letter].width
                assert width >= 2 * len(c.value) * 0.9 or width >= len(str(c.value)), (
                    name,
                    c.value,
                )
    assert len(wb2024["总体指标"]._charts) == 2
    assert len(wb2024["村居考核"]._charts) == 1
    assert len(wb2024["创业存活"]._charts) == 1
    assert len(wb2024["在岗持久"]._charts) == 1
    assert wb2024["村居指标"].conditional_formatting


def test_cover_and_draft_marker(con, tmp_path):
    wb = openpyxl.load_workbook(_build(con, tmp_path, 2024))
    cover = [c for row in wb["封面"].iter_rows(values_only=True) for c in row if c]
    assert '"宜业高桥"三年行动计划 2024年度绩效考核' in cover
    assert "高桥镇社区事务受理服务中心" in cover
    assert "草稿（年度进行中）" in cover
    assert "2024-06-30" in cover and "abc123" in cover
    wb23 = openpyxl.load_workbook(_build(con, tmp_path, 2023))
    cover23 = [c for row in wb23["封面"].iter_rows(values_only=True) for c in row if c]
    assert "草稿（年度进行中）" not in cover23
    assert "2023-12-31" in cover23


def test_town_sheet_reconciles_with_mart(con, wb2024):
    ws = wb2024["总体指标"]
    mart = con.execute(
        "select t.indicator_name, numerator, denominator, excluded, value, target, target_met "
        "from marts.kpi_town_year t join marts.indicator_catalog c using (indicator_code) "
        "where year = 2024 order by sort_order"
    ).fetchall()
    rows = _rows(ws)[: len(mart)]
    for r, (name, num, den, exc, val, tgt, met) in zip(rows, mart, strict=True):
        assert r[0] == name
        assert (r[1], r[2], r[3]) == (num, den, exc)
        assert r[4] == ("不适用" if val is None else val)
        assert r[6] == {None: "不适用", True: "达标", False: "未达标"}[met]
        if tgt is not None:
            assert r[5] == tgt
    by_name = {r[0]: r for r in rows}
    # hand-worked: 2024 rate 0.95 vs 2023 0.97 → -0.02; NULL rate → 不适用 and 不适用
    assert by_name["社区总体就业率"][7] == pytest.approx(-0.02)
    assert by_name["就业困难人员安置率"][4] == "不适用"
    assert by_name["就业困难人员安置率"][6] == "不适用"
    assert by_name["创业组织一年存活率"][5] == "高于上年"
    # formats and colour + text
    i = [r[0] for r in rows].index("社区总体就业率") + 2
    assert ws.cell(row=i, column=5).number_format == "0.0%"
    assert ws.cell(row=i, column=7).fill.fgColor.rgb.endswith("FFC7CE")
    j = [r[0] for r in rows].index("推荐上岗就业人数") + 2
    assert ws.cell(row=j, column=2).number_format == "#,##0"
    assert isinstance(ws.cell(row=j, column=2).value, int)


def test_village_sheets_reconcile(con, wb2024):
    ws = wb2024["村居考核"]
    header = [c.value for c in ws[1]]
    rows = _rows(ws)
    rows = [r for r in rows if r[1] in (V1, V2)]
    summary = con.execute(
        "select village_code, total_score, grade, rank from marts.village_assessment_summary "
        "where year = 2024 order by rank"
    ).fetchall()
    assert [r[1] for r in rows] == [s[0] for s in summary]
    for r, (vc, total, grade, rank) in zip(rows, summary, strict=True):
        assert r[0] == rank and r[-1] == grade and r[-2] == float(total)
        for item, score, val, nap in con.execute(
            "select item, item_score, value, not_applicable from marts.village_assessment "
            "where year = 2024 and village_code = ?",
            [vc],
        ).fetchall():
            assert r[header.index(f"{item}得分")] == score
            assert r[header.index(f"{item}实际值")] == ("不适用" if nap else val)
    mx = wb2024["村居指标"]
    mh = [c.value for c in mx[1]]
    for vc, name, val, unit in con.execute(
        "select village_code, indicator_name, value, unit from marts.kpi_village_year "
        "where year = 2024"
    ).fetchall():
        row = next(r for r in _rows(mx) if r[0] == vc)
        expect = ("不适用" if unit == "rate" else None) if val is None else val
        assert row[mh.index(name)] == expect


def test_cohort_sheets_reconcile(con, wb2024):
    ws = wb2024["创业存活"]
    cohort = con.execute(
        "select cohort_year, horizon_years, at_risk, survived, excluded, rate, complete "
        "from marts.startup_survival_cohorts order by 1, 2"
    ).fetchall()
    got = _rows(ws)[: len(cohort)]
    for g, (c, k, ar, sv, ex, rate, comp) in zip(got, cohort, strict=True):
        assert g[:5] == (f"{c}年", k, ar, sv, ex)
        assert g[5] == (rate if comp else "未完成")
    curve = con.execute("select * from marts.survival_curve_startups order by month").fetchall()
    start = next(i for i, r in enumerate(_rows(ws, 1), 1) if r[0] == "月数")
    got_curve = _rows(ws, start + 1)[: len(curve)]
    assert [tuple(r[:7]) for r in got_curve] == curve
    ws = wb2024["在岗持久"]
    ret = con.execute(
        "select cohort_half_year, horizon_months, at_risk, retained, rate "
        "from marts.job_retention_cohorts order by 1, 2"
    ).fetchall()
    for g, (h, k, ar, rt, rate) in zip(_rows(ws)[: len(ret)], ret, strict=True):
        assert (g[0], g[1], g[2], g[3]) == (h, k, ar, rt)
        assert g[5] == (rate if rate is not None else "未完成")


def test_only_masked_ids(con, tmp_path):
    raw = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
    paths = [
        _build(con, tmp_path, 2024),
        build_data_quality_workbook(
            con, 2024, tmp_path / "dq.xlsx", run_id="r", code_version="v", generated_at=T0
        ),
    ]
    for p in paths:
        wb = openpyxl.load_workbook(p)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                for v in row:
                    assert not (isinstance(v, str) and raw.search(v)), (ws.title, v)
    fu = openpyxl.load_workbook(paths[0])["跟进名单"]
    assert [r[1] for r in _rows(fu)] == ["310115********123X"] * 3
    assert [r[2] for r in _rows(fu)] == [
        "人员2",
        "人员0",
        "人员1",
    ]  # by village, longest waiting first


def _cells(path: Path) -> dict[tuple[str, str], object]:
    wb = openpyxl.load_workbook(path)
    return {
        (ws.title, c.coordinate): c.value for ws in wb.worksheets for row in ws.iter_rows()
        for c in row
    }  # fmt: skip


def test_deterministic_except_time_and_run_id(con, tmp_path):
    a = _cells(_build(con, tmp_path, 2024, "run-A", datetime(2024, 7, 1, 2, 0), LINEAGE))
    b_lin = {**LINEAGE, "run_id": "run-B"}
    b = _cells(_build(con, tmp_path, 2024, "run-B", datetime(2024, 7, 2, 3, 4), b_lin))
    diff = {k for k in a.keys() | b.keys() if a.get(k) != b.get(k)}
    assert diff == {("封面", "B7"), ("封面", "B8")}
    assert a[("封面", "B8")] == "run-A"
    assert "='封面'!B8" in {v for (sheet, _), v in a.items() if sheet == "数据血缘"}
    # another dbt manifest (dbt stamps each invocation into it): exactly one more cell
    c_lin = {**b_lin, "dbt_manifest_sha256": "b" * 64}
    c = _cells(_build(con, tmp_path, 2024, "run-C", datetime(2024, 7, 2, 3, 4), c_lin))
    diff = {k for k in b.keys() | c.keys() if b.get(k) != c.get(k)}
    (label,) = [k for k, v in c.items() if v == MANIFEST_LABEL]
    hash_cell = ("数据血缘", "B" + label[1][1:])
    assert diff == {("封面", "B8"), hash_cell}
    assert c[hash_cell] == "b" * 64


def test_lineage_sheet_manifest_hash_and_models(con, tmp_path):
    ws = openpyxl.load_workbook(_build(con, tmp_path, 2024, lineage=LINEAGE))["数据血缘"]
    rows = _rows(ws, 1)
    by_label = {r[0]: r[1] for r in rows if r[0]}
    assert by_label[MANIFEST_LABEL] == "a" * 64
    assert by_label["代码版本"] == "abc123"
    start = rows.index(tuple(MODELS_HEADER) + (None,) * (len(rows[0]) - 3))
    models = {r[0]: r[2] for r in rows[start + 1 :] if r[0]}
    # from the lineage where it names models, else the catalog's own list (fixture: int_a|int_b)
    assert models["community_employment_rate"] == "int_a、stg_b、villages"
    assert models["hard_to_employ_placement_rate"] == "int_a、int_b"
    # without lineage the hash is shown as missing, not invented
    ws0 = openpyxl.load_workbook(_build(con, tmp_path, 2024, "r0"))["数据血缘"]
    assert {r[0]: r[1] for r in _rows(ws0, 1) if r[0]}[MANIFEST_LABEL] == "—"


def test_data_quality_workbook(con, tmp_path):
    p = build_data_quality_workbook(
        con, 2024, tmp_path / "dq.xlsx", run_id="r", code_version="v", generated_at=T0
    )
    wb = openpyxl.load_workbook(p)
    assert wb.sheetnames[:3] == ["汇总", N1, N2]
    summary = {r[0]: r for r in _rows(wb["汇总"]) if r[0] in (V1, V2)}
    # hand-worked from the fixture: V1 file 20 read / 18 accepted / 1 rejected / 1 ignored,
    # issues 0..3 alternate error/warning → 2 warnings
    assert summary[V1][2:] == (1, 0, 20, 18, 1, 1, 2)
    assert summary[V2][2:] == (1, 0, 20, 20, 0, 0, 0)
    ws = wb[N1]
    assert wb[N1].freeze_panes == "A2"
    rows = _rows(ws)
    assert [r[3] for r in rows] == [5, 6, 7, 8]
    hints = [r[9] for r in rows]
    assert hints[0] == FIX_HINTS["bad_id"]
    assert hints[3] == GENERIC_HINT  # unknown rule code
    assert rows[0][6] == "拒收" and rows[1][6] == "警告"
    # the rejected file without period (ingested 2024) is listed on the town sheet
    town = [r for ws2 in wb.worksheets[3:] for r in _rows(ws2)]
    assert any(r[0] == "坏文件.xls" and r[9] == FIX_HINTS["legacy_xls"] for r in town)
    # 2023: the register file (period 2023-12) only
    wb23 = openpyxl.load_workbook(
        build_data_quality_workbook(
            con, 2023, tmp_path / "dq23.xlsx", run_id="r", code_version="v", generated_at=T0
        )
    )
    s23 = {r[1]: r for r in _rows(wb23["汇总"]) if r[1]}
    assert s23[N1][2] == 0
    assert s23["镇级及未归属文件"][2:5] == (1, 0, 5)


def test_data_quality_files_ingested_after_as_of_go_to_the_last_published_year(tmp_path):
    """A training log (no period) ingested in 2026 by a run with as_of 2024-06-30 is listed in
    the 2024 workbook (the last year this run publishes), not in a 2026 one nobody gets."""
    rw = duckdb.connect(str(create_marts_db(tmp_path / "warehouse.duckdb")))
    try:
        rw.execute(
            "insert into marts.source_files values (?,?,?,?,?,?,?,?,?,?,?,?)",
            ["e" * 64, "培训台账/2026年上半年培训.csv", "training", None, None, "accepted", None,
             7, 7, 0, 0, datetime(2026, 1, 5, 2, 0)],
        )  # fmt: skip
        rw.execute(
            "insert into marts.data_quality_issues values (?,?,?,?,?,?,?,?,?,?)",
            ["e" * 64, "培训台账/2026年上半年培训.csv", "培训记录", 3, None, "warning",
             "cert_without_date", "取证日期", "", "有证书名称但无取证日期"],
        )  # fmt: skip
        p = build_data_quality_workbook(
            rw, 2024, tmp_path / "dq.xlsx", run_id="r", code_version="v", generated_at=T0
        )
    finally:
        rw.close()
    wb = openpyxl.load_workbook(p)
    town = {r[1]: r for r in _rows(wb["汇总"]) if r[1]}["镇级及未归属文件"]
    assert town[2] == 2 and town[8] == 1  # the .xls of 2024 and the 2026 training log
    listed = [r for ws in wb.worksheets[3:] for r in _rows(ws)]
    assert any(r[0] == "培训台账/2026年上半年培训.csv" and r[3] == 3 for r in listed)


def test_every_documented_rule_has_a_hint():
    doc = Path(__file__).resolve().parent.parent / "docs" / "DATA_QUALITY_RULES.md"
    if not doc.exists():
        pytest.skip("docs/DATA_QUALITY_RULES.md not present")
    codes = set(re.findall(r"^\| `([a-z_]+)` \|", doc.read_text(encoding="utf-8"), re.M))
    assert codes and codes <= set(FIX_HINTS)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_converts_both_workbooks(con, tmp_path):
    a = _build(con, tmp_path, 2024)
    d = build_data_quality_workbook(
        con, 2024, tmp_path / "dq.xlsx", run_id="r", code_version="v", generated_at=T0
    )
    out = tmp_path / "pdf"
    res = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
         "--convert-to", "pdf", "--outdir", str(out), str(a), str(d)],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    for p in (a, d):
        pdf = out / (p.stem + ".pdf")
        assert pdf.exists() and pdf.stat().st_size > 5000
