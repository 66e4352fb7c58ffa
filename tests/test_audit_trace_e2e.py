"""End to end on the built demo home: figures → marts.kpi_evidence → archived source rows,
the audit pack of the real home, OpenLineage events and the run record of the real run."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import jsonschema
import openpyxl
import pytest

from ingest.normalize import normalise_id
from yiye.config import Home
from yiye.privacy import keyed_hash, load_or_create_key

YEAR = 2024
SEED = 20240630
SCHEMA = json.loads((Path(__file__).parent / "schemas" / "OpenLineage.json").read_text())


NA = "不适用"


@dataclass(frozen=True)
class Figure:
    """One number of the published workbook, located by header text."""

    sheet: str
    cell: str  # e.g. "B3"
    indicator_code: str
    village_code: str | None  # None: a town figure
    kind: str  # numerator | denominator | value (村居指标 shows the indicator value)
    value: object
    is_rate: bool

    @property
    def nonzero(self) -> bool:
        return self.value not in (None, 0, NA)


def _find_header(ws, required: tuple[str, ...]) -> tuple[int, dict[str, int]]:
    """The first row holding every ``required`` header: (row number, header text → column)."""
    for row in ws.iter_rows():
        cols = {str(c.value).strip(): c.column for c in row if c.value is not None}
        if all(t in cols for t in required):
            return row[0].row, cols
    raise AssertionError(f"{ws.title}: no header row with {required}")


def _indicator_codes(wb) -> dict[str, str]:
    """Indicator name → code, from the workbook's own 数据血缘 table (指标代码 / 指标)."""
    ws = wb["数据血缘"]
    r, cols = _find_header(ws, ("指标代码", "指标"))
    out: dict[str, str] = {}
    for row in ws.iter_rows(min_row=r + 1, values_only=True):
        code, name = row[cols["指标代码"] - 1], row[cols["指标"] - 1]
        if not code:
            break
        out[str(name)] = str(code)
    assert out, "数据血缘 lists no indicator"
    return out


def workbook_figures(path: Path) -> list[Figure]:
    """Every figure of 总体指标 (分子, 分母) and 村居指标 (the village × indicator values)."""
    wb = openpyxl.load_workbook(path, data_only=True)
    codes = _indicator_codes(wb)
    figures: list[Figure] = []
    ws = wb["总体指标"]
    r, cols = _find_header(ws, ("指标", "分子", "分母"))
    for row in ws.iter_rows(min_row=r + 1):
        name = row[cols["指标"] - 1].value
        if name is None or row[cols["分子"] - 1].value is None:
            break  # the indicator table ends where 分子 does (the cumulative-goal table follows)
        for header, kind in (("分子", "numerator"), ("分母", "denominator")):
            c = row[cols[header] - 1]
            if c.value is None and kind == "denominator":
                continue  # counts have no denominator
            figures.append(Figure(ws.title, c.coordinate, codes[name], None, kind, c.value, False))
    ws = wb["村居指标"]
    r, cols = _find_header(ws, ("村居代码", "村居"))
    by_col = {col: codes[text] for text, col in cols.items() if text in codes}
    assert by_col, "村居指标 has no indicator column"
    for row in ws.iter_rows(min_row=r + 1):
        village = row[cols["村居代码"] - 1].value
        if village is None:  # the matrix ends at the first blank row (a legend follows)
            break
        for col, code in sorted(by_col.items()):
            c = row[col - 1]
            rate = c.value == NA or "%" in (c.number_format or "")  # only rates show 不适用
            figures.append(
                Figure(ws.title, c.coordinate, code, str(village), "value", c.value, rate)
            )
    wb.close()
    return figures


def _evidence(con: duckdb.DuckDBPyConnection, year: int, fig: Figure) -> list[tuple]:
    where, params = "year = ? and indicator_code = ?", [year, fig.indicator_code]
    if fig.village_code is not None:
        where += " and village_code = ?"
        params.append(fig.village_code)
    return con.execute(
        "select in_numerator, indicator_code, person_key, enterprise_key, household_no, "
        f"source_sha256, sheet, row_number from marts.kpi_evidence where {where} order by all",
        params,
    ).fetchall()


def _check_figure(fig: Figure, num: int, den: int) -> None:
    where = f"{fig.sheet}!{fig.cell} {fig.indicator_code} {fig.village_code or '全镇'}"
    if fig.kind == "numerator":
        assert fig.value == num, (
            f"{where}: workbook {fig.value} != {num} evidence rows in numerator"
        )
    elif fig.kind == "denominator":
        assert fig.value == den, f"{where}: workbook {fig.value} != {den} evidence rows"
    elif fig.is_rate:
        if fig.value in (None, NA):
            assert den == 0, f"{where}: workbook {NA} but {den} evidence rows"
        else:
            assert den > 0 and abs(float(fig.value) - num / den) < 1e-9, (
                f"{where}: workbook {fig.value} != {num}/{den} from the evidence"
            )
    else:
        value = 0 if fig.value is None else fig.value
        assert value == num, f"{where}: workbook {fig.value} != {num} evidence rows in numerator"


def check_workbook_figures(
    path: Path,
    con: duckdb.DuckDBPyConnection,
    archive: Path,
    key: bytes,
    year: int,
    n: int = 25,
    rows_per_figure: int = 2,
) -> tuple[list[Figure], int]:
    """Seeded sample of figures read from the published workbook (n non-zero ones and n/4
    zero / 不适用 ones); each is re-derived from marts.kpi_evidence (numerator = rows with
    in_numerator, denominator = all rows, a rate = their quotient) and, for a sample of the
    evidence rows behind it, from the archived source file at sheet and row.
    Returns the figures checked and how many source rows were opened."""
    figures = workbook_figures(path)
    rng = random.Random(SEED)
    nonzero = [f for f in figures if f.nonzero]
    zero = [f for f in figures if not f.nonzero]
    picked = rng.sample(nonzero, min(n, len(nonzero))) + rng.sample(
        zero, min(max(n // 4, 1), len(zero))
    )
    cache: dict[tuple[str, str], list[tuple]] = {}
    opened = 0
    for fig in picked:
        rows = _evidence(con, year, fig)
        num = sum(1 for r in rows if r[0])
        _check_figure(fig, num, len(rows))
        behind = rows if fig.kind == "denominator" or fig.is_rate else [r for r in rows if r[0]]
        for row in rng.sample(behind, min(rows_per_figure, len(behind))):
            check_source_row(archive, key, cache, row[1:])
            opened += 1
    return picked, opened


def _sheet_rows(path: Path, sheet: str) -> list[tuple]:
    if path.suffix.lower() == ".csv":
        raw = path.read_bytes()
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        return [tuple(r) for r in csv.reader(io.StringIO(text))]
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return list(wb[sheet].iter_rows(values_only=True))
    finally:
        wb.close()


def _header(rows: list[tuple], upto: int) -> tuple:
    for row in rows[: upto - 1]:
        cells = [str(c or "") for c in row]
        if any("身份证" in c for c in cells) or any("信用代码" in c for c in cells):
            return row
    raise AssertionError("no header row above the evidence row")


def check_source_row(
    archive: Path, key: bytes, cache: dict[tuple[str, str], list[tuple]], evidence: tuple
) -> None:
    """Open archive/<sha256>.* at the evidence row's sheet and row; recompute the person_key
    from the ID cell (the USCC / household number for enterprise and household rows)."""
    code, person_key, enterprise_key, household_no, sha, sheet, row_number = evidence
    files = sorted(archive.glob(f"{sha}.*"))
    assert len(files) == 1, sha
    if (sha, sheet) not in cache:
        cache[(sha, sheet)] = _sheet_rows(files[0], sheet)
    sheet_rows = cache[(sha, sheet)]
    header = [str(c or "") for c in _header(sheet_rows, row_number)]
    cells = list(sheet_rows[row_number - 1])
    values = {h: c for h, c in zip(header, cells, strict=False)}
    if person_key is not None:
        id_col = next(h for h in header if "身份证" in h)
        assert keyed_hash(key, normalise_id(values[id_col])) == person_key, (code, sha)
    if enterprise_key is not None:
        texts = {str(c).strip().upper() for c in cells if c is not None}
        assert enterprise_key in texts, (code, sha, row_number)
    if household_no is not None and person_key is None:
        texts = {str(c).strip() for c in cells if c is not None}
        assert household_no in texts or household_no.lstrip("0") in texts, (code, sha)


def check_evidence_rows(
    con: duckdb.DuckDBPyConnection, archive: Path, key: bytes, year: int, n: int = 40
) -> int:
    """Seeded sample of evidence rows: open archive/<sha256>.*, the sheet and row, and
    recompute the person_key from the ID cell (USCC / household number for the others)."""
    rows = con.execute(
        "select indicator_code, person_key, enterprise_key, household_no, source_sha256, "
        "sheet, row_number from marts.kpi_evidence where year = ? order by all",
        [year],
    ).fetchall()
    assert rows
    picked = random.Random(SEED).sample(rows, min(n, len(rows)))
    cache: dict[tuple[str, str], list[tuple]] = {}
    for row in picked:
        check_source_row(archive, key, cache, row)
    return len(picked)


@pytest.mark.slow
def test_figures_trace_to_archived_rows(built_home: Home) -> None:
    key = load_or_create_key(built_home.secret_key_file)
    con = duckdb.connect(str(built_home.warehouse), read_only=True)
    try:
        picked, opened = check_workbook_figures(
            built_home.report_path(YEAR), con, built_home.archive, key, YEAR
        )
        assert {f.sheet for f in picked if f.nonzero} == {"总体指标", "村居指标"}
        assert {f.kind for f in picked if f.nonzero} == {"numerator", "denominator", "value"}
        assert sum(f.nonzero for f in picked) >= 10 and opened >= 20
        assert check_evidence_rows(con, built_home.archive, key, YEAR) >= 20
    finally:
        con.close()


def _set_cell(src: Path, dst: Path, sheet: str, cell: str, value: object) -> Path:
    shutil.copy2(src, dst)
    wb = openpyxl.load_workbook(dst)
    wb[sheet][cell] = value
    wb.save(dst)
    return dst


@pytest.mark.slow
def test_a_figure_off_by_one_in_the_workbook_fails_the_trace(
    built_home: Home, tmp_path: Path
) -> None:
    """Hand-mutated copies of the published workbook: one figure +1 (or, for a rate, the
    value with one more person in the numerator) must fail the figure check."""
    key = load_or_create_key(built_home.secret_key_file)
    original = built_home.report_path(YEAR)
    con = duckdb.connect(str(built_home.warehouse), read_only=True)
    try:
        picked, _ = check_workbook_figures(original, con, built_home.archive, key, YEAR)
        targets = [
            next(f for f in picked if f.nonzero and f.kind == "numerator"),
            next(f for f in picked if f.nonzero and f.kind == "denominator"),
            next(f for f in picked if f.nonzero and f.kind == "value" and f.is_rate),
        ]
        for i, fig in enumerate(targets):
            if fig.kind == "value":
                rows = _evidence(con, YEAR, fig)
                bad: object = (sum(1 for r in rows if r[0]) + 1) / len(rows)
            else:
                bad = fig.value + 1
            copy = _set_cell(original, tmp_path / f"off_by_one_{i}.xlsx", fig.sheet, fig.cell, bad)
            with pytest.raises(AssertionError, match=f"{fig.sheet}!{fig.cell} "):
                check_workbook_figures(copy, con, built_home.archive, key, YEAR)
    finally:
        con.close()


@pytest.mark.slow
def test_lineage_of_the_real_run(built_home: Home) -> None:
    from yiye import lineage
    from yiye.versioning import load_run_record

    events = lineage.read_events(built_home)
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for ev in events:
        validator.validate(ev)
    jobs = {e["job"]["name"] for e in events}
    assert "nightly" in jobs
    assert any(j.startswith("ingest.") for j in jobs)
    assert "dbt.kpi_evidence" in jobs
    record = load_run_record(built_home)
    assert record is not None and record["as_of"] == "2024-06-30"
    archived = {p.name.split(".")[0] for p in built_home.archive.iterdir()}
    assert record["source_files"] and {f["source_sha256"] for f in record["source_files"]} <= (
        archived
    )


@pytest.mark.slow
def test_audit_pack_of_the_real_home(built_home: Home, tmp_path: Path) -> None:
    from yiye.audit import build_audit_pack, lineage_for_workbook, verify_audit_pack

    if not built_home.report_path(YEAR).exists():
        pytest.fail("the nightly run wrote no assessment workbook")
    path = build_audit_pack(built_home, YEAR, out=tmp_path / "pack.zip")
    assert verify_audit_pack(path).ok
    with zipfile.ZipFile(path) as zf:
        text = zf.read(f"data/kpi_evidence_{YEAR}.csv").decode("utf-8-sig")
        n = sum(1 for _ in csv.DictReader(io.StringIO(text)))
    con = duckdb.connect(str(built_home.warehouse), read_only=True)
    try:
        expected = con.execute(
            "select count(*) from marts.kpi_evidence where year = ?", [YEAR]
        ).fetchone()[0]
    finally:
        con.close()
    assert n == expected
    data = lineage_for_workbook(built_home, YEAR)
    assert (
        "int_kpi_evidence__population" in data["models_by_indicator"]["community_employment_rate"]
    )


@pytest.mark.slow
def test_lineage_sheet_of_the_real_workbooks(built_home: Home) -> None:
    """数据血缘 of every workbook the real run published: this run's dbt manifest hash (the
    file in lineage/, the same the run record holds), and per indicator dbt models that
    exist in that manifest."""
    from reports.assessment import MANIFEST_LABEL, MODELS_HEADER
    from yiye.versioning import load_run_record

    manifest_path = built_home.lineage / "manifest.json"
    digest = hashlib.sha256(manifest_path.read_bytes()).hexdigest()
    manifest = json.loads(manifest_path.read_text("utf-8"))
    models = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    seeds = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "seed"}
    record = load_run_record(built_home)
    assert record is not None and record["dbt_manifest_sha256"] == digest

    workbooks = sorted(built_home.reports.glob("*/assessment_*.xlsx"))
    assert built_home.report_path(YEAR) in workbooks
    for path in workbooks:
        wb = openpyxl.load_workbook(path)
        assert wb["封面"]["B8"].value == record["run_id"], path.name  # the run that recorded
        ws = wb["数据血缘"]
        labels = {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r[0]}
        assert labels[MANIFEST_LABEL] == digest, path.name
        assert labels["代码版本"] == record["code_version"], path.name
        r, cols = _find_header(ws, tuple(MODELS_HEADER))
        by_indicator: dict[str, list[str]] = {}
        for row in ws.iter_rows(min_row=r + 1, values_only=True):
            code = row[cols["指标代码"] - 1]
            if not code:
                break
            by_indicator[code] = str(row[cols["dbt 模型"] - 1] or "").split("、")
        assert "community_employment_rate" in by_indicator, path.name
        for code, names in by_indicator.items():
            assert names and set(names) <= models | seeds, (path.name, code)
        # the models behind an indicator are the dbt lineage, not a placeholder
        assert "int_kpi_evidence__population" in by_indicator["community_employment_rate"]
        assert set(by_indicator["community_employment_rate"]) & models
