"""Hand-made fixtures for the lineage/audit tests: a tiny home with marts tables, dbt
artifacts in lineage/ and a small workbook."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from openpyxl import Workbook

from yiye.config import Home

YEAR = 2024
SHA_A = "a" * 64
SHA_B = "b" * 64

MANIFEST = {
    "metadata": {"dbt_version": "1.11.0"},
    "sources": {
        "source.yiye.raw.roster_rows": {
            "name": "roster_rows",
            "schema": "raw",
            "resource_type": "source",
        }
    },
    "nodes": {
        "model.yiye.stg_raw__roster_rows": {
            "name": "stg_raw__roster_rows",
            "schema": "staging",
            "resource_type": "model",
            "depends_on": {"nodes": ["source.yiye.raw.roster_rows"]},
        },
        "seed.yiye.villages": {
            "name": "villages",
            "schema": "reference",
            "resource_type": "seed",
            "depends_on": {"nodes": []},
        },
        "model.yiye.int_employment": {
            "name": "int_employment",
            "schema": "intermediate",
            "resource_type": "model",
            "depends_on": {"nodes": ["model.yiye.stg_raw__roster_rows", "seed.yiye.villages"]},
        },
        "model.yiye.kpi_evidence": {
            "name": "kpi_evidence",
            "schema": "marts",
            "resource_type": "model",
            "depends_on": {"nodes": ["model.yiye.int_employment"]},
        },
        "model.yiye.kpi_town_year": {
            "name": "kpi_town_year",
            "schema": "marts",
            "resource_type": "model",
            "depends_on": {"nodes": ["model.yiye.kpi_evidence"]},
        },
        "model.yiye.unrelated": {
            "name": "unrelated",
            "schema": "marts",
            "resource_type": "model",
            "depends_on": {"nodes": []},
        },
    },
}
RUN_RESULTS = {
    "results": [
        {"unique_id": "model.yiye.stg_raw__roster_rows", "status": "success"},
        {"unique_id": "model.yiye.int_employment", "status": "success"},
        {"unique_id": "model.yiye.kpi_evidence", "status": "error"},
        {"unique_id": "test.yiye.not_null_x", "status": "pass"},
    ]
}


def make_home(root: Path) -> Home:
    home = Home.resolve(root).ensure()
    (home.archive / f"{SHA_A}.xlsx").write_bytes(b"fake xlsx a")
    (home.archive / f"{SHA_B}.csv").write_bytes(b"fake csv b")
    (home.lineage / "manifest.json").write_text(json.dumps(MANIFEST), "utf-8")
    (home.lineage / "run_results.json").write_text(json.dumps(RUN_RESULTS), "utf-8")
    (home.lineage / "catalog.json").write_text('{"nodes": {}}', "utf-8")
    wb = Workbook()
    wb.active.title = "总体指标"
    wb.active.append(["指标", "分子", "分母"])
    wb.active.append(["EMP_RATE", 2, 3])
    home.report_path(YEAR).parent.mkdir(parents=True, exist_ok=True)
    wb.save(home.report_path(YEAR))
    con = duckdb.connect(str(home.warehouse))
    con.execute("create schema marts")
    con.execute(
        "create table marts.source_files (source_sha256 varchar, source_file varchar, "
        "kind varchar, village_code varchar, period varchar, status varchar, reason varchar, "
        "rows_read int, rows_accepted int, rows_rejected int, rows_ignored int, "
        "ingested_at timestamp)"
    )
    con.execute(
        "insert into marts.source_files values "
        f"('{SHA_A}', '高桥村_2024-01.xlsx', 'roster', 'V01', '2024-01', 'accepted', null, "
        "3, 3, 0, 0, '2024-02-01 10:00:00'),"
        f"('{SHA_B}', '坏文件.csv', 'roster', 'V02', '2024-01', 'rejected', '缺少列', "
        "0, 0, 0, 0, '2024-02-01 10:00:00')"
    )
    con.execute(
        "create table marts.kpi_evidence (year int, indicator_code varchar, "
        "village_code varchar, person_key varchar, enterprise_key varchar, "
        "household_no varchar, member_status varchar, in_numerator boolean, "
        "source_sha256 varchar, sheet varchar, row_number int, id_number varchar)"
    )
    con.execute(
        "insert into marts.kpi_evidence values "
        f"(2024, 'EMP_RATE', 'V01', 'pk1', null, null, null, true, '{SHA_A}', '花名册', 5, "
        "'310115199001011234'),"
        f"(2024, 'EMP_RATE', 'V01', 'pk2', null, null, null, true, '{SHA_A}', '花名册', 6, "
        "'310115199001011235'),"
        f"(2024, 'EMP_RATE', 'V01', 'pk3', null, null, null, false, '{SHA_A}', '花名册', 7, "
        "'310115199001011236'),"
        f"(2023, 'EMP_RATE', 'V01', 'pk9', null, null, null, true, '{SHA_A}', '花名册', 9, "
        "'310115199001011239')"
    )
    con.execute(
        "create table marts.kpi_town_year (year int, indicator_code varchar, "
        "numerator int, denominator int)"
    )
    con.execute(
        "insert into marts.kpi_town_year values (2024, 'EMP_RATE', 2, 3), (2023, 'EMP_RATE', 1, 1)"
    )
    con.execute(
        "create table marts.kpi_village_year (year int, village_code varchar, "
        "indicator_code varchar, numerator int, denominator int)"
    )
    con.execute("insert into marts.kpi_village_year values (2024, 'V01', 'EMP_RATE', 2, 3)")
    con.execute(
        "create table marts.data_quality_issues (source_sha256 varchar, source_file varchar, "
        "sheet varchar, row_number int, village_code varchar, severity varchar, "
        "rule_code varchar, column_name varchar, bad_value_masked varchar, message varchar)"
    )
    con.execute(
        "insert into marts.data_quality_issues values "
        f"('{SHA_B}', '坏文件.csv', 'csv', 2, 'V02', 'error', 'ID_CHECKSUM', '身份证号', "
        "'310115********123X', '身份证号校验位错误')"
    )
    con.execute("create table marts.indicator_catalog (indicator_code varchar, models varchar)")
    con.execute(
        "insert into marts.indicator_catalog values ('EMP_RATE', 'int_employment|no_such_model'), ('OTHER', '')"
    )
    con.close()
    return home
