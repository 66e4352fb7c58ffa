"""End to end on the built demo home: figures → marts.kpi_evidence → archived source rows,
the audit pack of the real home, OpenLineage events and the run record of the real run."""

from __future__ import annotations

import csv
import io
import json
import random
import zipfile
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


def check_figures(con: duckdb.DuckDBPyConnection, year: int, n: int = 25) -> int:
    """Seeded sample of town and village figures; each numerator = evidence rows with
    in_numerator, each denominator = all evidence rows. Returns how many were checked."""
    figures = con.execute(
        "select 'town' as level, null as village_code, indicator_code, numerator, denominator "
        "from marts.kpi_town_year where year = ? "
        "union all select 'village', village_code, indicator_code, numerator, denominator "
        "from marts.kpi_village_year where year = ? order by 1, 2 nulls first, 3",
        [year, year],
    ).fetchall()
    # figures backed by evidence: the indicator has evidence rows that year
    with_evidence = {
        r[0]
        for r in con.execute(
            "select distinct indicator_code from marts.kpi_evidence where year = ?", [year]
        ).fetchall()
    }
    candidates = [f for f in figures if f[2] in with_evidence and (f[3] or 0) > 0]
    assert candidates, "no non-zero figure with evidence"
    picked = random.Random(SEED).sample(candidates, min(n, len(candidates)))
    for level, village, code, numerator, denominator in picked:
        where = "year = ? and indicator_code = ?"
        params: list = [year, code]
        if level == "village":
            where += " and village_code = ?"
            params.append(village)
        num, den = con.execute(
            f"select count(*) filter (where in_numerator), count(*) from marts.kpi_evidence "
            f"where {where}",
            params,
        ).fetchone()
        assert num == numerator, (level, village, code)
        if denominator is not None:
            assert den == denominator, (level, village, code)
    return len(picked)


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
    for code, person_key, enterprise_key, household_no, sha, sheet, row_number in picked:
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
    return len(picked)


@pytest.mark.slow
def test_figures_trace_to_archived_rows(built_home: Home) -> None:
    key = load_or_create_key(built_home.secret_key_file)
    con = duckdb.connect(str(built_home.warehouse), read_only=True)
    try:
        assert check_figures(con, YEAR) >= 5
        assert check_evidence_rows(con, built_home.archive, key, YEAR) >= 20
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
