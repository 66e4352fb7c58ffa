"""End-to-end reconciliation of the population indicators (kpis.md) on a tiny raw warehouse.

Raw rows are inserted directly (no ingest), the population models are built with dbt into a
temporary DuckDB file, and the figures are compared with values worked out by hand below.

Scenario (as_of 2024-12-31; V1 = 310115104001, V2 = ...002, V3 = ...003):

* V1 2024-11 (f1): A 登记失业 hh01; B 未就业/有 tag 就业困难人员 hh02.
* V1 2024-12 first file (f2, superseded by f3, ingested later): A 单位就业 — must be ignored.
* V1 2024-12 (f3): A 登记失业 hh01; B 单位就业 tag 就业困难人员 hh02; C 未就业/无 (O) hh03;
  D 灵活就业 hh03.
* V2 2024-12 (f4): E 登记失业 hh05; D 未就业/有 hh06 (D is also in V1 2024-12: same month,
  the smaller code V1 wins; V2's household 06 loses D).
* V3 2024-06 (f5): F 单位就业 hh07; G 未就业/有 tag 长期失业青年 hh07 (V3's latest snapshot is
  old and still counts).

P(2024-12-31): V1 A(U) B(E) C(O) D(E); V2 E(U); V3 F(E) G(U).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from ingest.raw_schema import create_raw_schema

ROOT = Path(__file__).resolve().parents[1]
DBT_DIR = ROOT / "dbt_project"
V1, V2, V3 = "310115104001", "310115104002", "310115104003"
NOW = datetime(2025, 1, 5, 8, 0)

# (sha, village, month, ingest_seq)
FILES = [
    ("f1", V1, date(2024, 11, 1), 1),
    ("f2", V1, date(2024, 12, 1), 1),
    ("f3", V1, date(2024, 12, 1), 2),
    ("f4", V2, date(2024, 12, 1), 2),
    ("f5", V3, date(2024, 6, 1), 1),
]
# (sha, row, person, household, status, wish, tags)
ROWS = [
    ("f1", 4, "A", "01", "登记失业", "有", ""),
    ("f1", 5, "B", "02", "未就业", "有", "|就业困难人员|"),
    ("f2", 4, "A", "01", "单位就业", "有", ""),
    ("f3", 4, "A", "01", "登记失业", "有", ""),
    ("f3", 5, "B", "02", "单位就业", "有", "|就业困难人员|"),
    ("f3", 6, "C", "03", "未就业", "无", ""),
    ("f3", 7, "D", "03", "灵活就业", "有", ""),
    ("f4", 4, "E", "05", "登记失业", "有", ""),
    ("f4", 5, "D", "06", "未就业", "有", ""),
    ("f5", 4, "F", "07", "单位就业", "有", ""),
    ("f5", 5, "G", "07", "未就业", "有", "|长期失业青年|"),
]


def _write_raw(path: Path) -> None:
    con = duckdb.connect(str(path))
    create_raw_schema(con)
    months = {sha: (village, month) for sha, village, month, _ in FILES}
    for sha, village, month, seq in FILES:
        con.execute(
            "insert into raw.source_files (source_sha256, source_file, file_name, archive_path,"
            " kind, village_code, period, has_referral_sheet, status, ingest_seq, ingested_at)"
            " values (?, ?, ?, ?, 'roster', ?, ?, false, 'accepted', ?, ?)",
            [sha, f"{sha}.xlsx", f"{sha}.xlsx", f"archive/{sha}.xlsx", village, month, seq, NOW],
        )
    for sha, row, person, household, status, wish, tags in ROWS:
        village, month = months[sha]
        con.execute(
            "insert into raw.roster_rows (source_sha256, source_file, sheet, row_number,"
            " ingested_at, village_code, report_month, person_name, id_number, person_key,"
            " id_masked, household_no, tags, employment_status, wish_to_work)"
            " values (?, ?, '人员台账', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                sha,
                f"{sha}.xlsx",
                row,
                NOW,
                village,
                month,
                f"姓名{person}",
                f"ID{person}",
                f"key{person}",
                f"masked{person}",
                household,
                tags,
                status,
                wish,
            ],
        )
    con.close()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    tmp = tmp_path_factory.mktemp("dbt_population")
    db = tmp / "warehouse.duckdb"
    _write_raw(db)
    dbt = Path(sys.executable).with_name("dbt")
    env = {**os.environ, "YIYE_WAREHOUSE": str(db)}
    result = subprocess.run(
        [
            str(dbt),
            "build",
            "--profiles-dir",
            ".",
            "--target-path",
            str(tmp / "target"),
            "--log-path",
            str(tmp / "logs"),
            "--vars",
            '{as_of: "2024-12-31", first_year: 2023}',
            "--exclude",
            "test_type:unit",
            "--indirect-selection",
            "cautious",
            "-s",
            "+int_kpi__population_indicators",
            "+follow_up_list",
            "+int_population__cross_village_duplicates",
        ],
        cwd=DBT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    con = duckdb.connect(str(db), read_only=True)
    yield con
    con.close()


def _indicators(con: duckdb.DuckDBPyConnection, year: int, village: str | None) -> dict:
    rows = con.execute(
        "select indicator_code, numerator, denominator, excluded, value"
        " from intermediate.int_kpi__population_indicators"
        " where year = ? and village_code is not distinct from ?",
        [year, village],
    ).fetchall()
    return {code: (num, den, exc, val) for code, num, den, exc, val in rows}


def test_town_figures_2024(warehouse: duckdb.DuckDBPyConnection) -> None:
    town = _indicators(warehouse, 2024, None)
    # E∪U in P(R): A U, B E, D E, E U, F E, G U -> 3/6 (C is O; superseded f2 ignored).
    assert town["community_employment_rate"] == (3, 6, None, pytest.approx(0.5))
    # 登记失业 seen in 2024: A (V1), E (V2); both U at R.
    assert town["registered_unemployed_reemployment_rate"] == (0, 2, 0, 0.0)
    # B tagged and U in V1 2024-11; employed at R.
    assert town["hard_to_employ_placement_rate"] == (1, 1, 0, 1.0)
    assert town["hard_to_employ_graduate_placement_rate"] == (0, 0, 0, None)
    # Zero-employment households seen in 2024: V1/01, V1/02 (2024-11), V2/05, V2/06 (V2's own
    # snapshot). At R: V1/01 {A U} den, V1/02 {B E} num, V2/05 {E U} den, V2/06 lost D -> excl.
    assert town["zero_employment_household_placement_rate"] == (1, 3, 1, pytest.approx(1 / 3))
    assert town["zero_employment_households_at_ref"] == (2, None, None, 2.0)
    assert town["unemployed_count"] == (3, None, None, 3.0)
    # G (V3, 2024-06) tagged 长期失业青年, U at R: value = numerator = 0, denominator 1.
    assert town["long_term_unemployed_youth_employed"] == (0, 1, 0, 0.0)


def test_village_rows_and_empty_year(warehouse: duckdb.DuckDBPyConnection) -> None:
    v1 = _indicators(warehouse, 2024, V1)
    assert v1["community_employment_rate"] == (2, 3, None, pytest.approx(2 / 3))
    assert v1["zero_employment_household_placement_rate"] == (1, 2, 0, 0.5)
    v2 = _indicators(warehouse, 2024, V2)
    assert v2["zero_employment_household_placement_rate"] == (0, 1, 1, 0.0)
    assert v2["community_employment_rate"] == (0, 1, None, 0.0)
    v3 = _indicators(warehouse, 2024, V3)
    assert v3["long_term_unemployed_youth_employed"] == (0, 1, 0, 0.0)
    # 2023 has no snapshot at all: every indicator still has its rows.
    town_2023 = _indicators(warehouse, 2023, None)
    assert len(town_2023) == 8
    assert town_2023["hard_to_employ_placement_rate"] == (0, 0, 0, None)
    assert town_2023["unemployed_count"] == (0, None, None, 0.0)
    villages = warehouse.execute("select count(*) from reference.villages").fetchone()[0]
    total = warehouse.execute(
        "select count(*) from intermediate.int_kpi__population_indicators"
    ).fetchone()[0]
    assert total == 2 * (villages + 1) * 8


def test_cross_village_duplicate_and_follow_up(warehouse: duckdb.DuckDBPyConnection) -> None:
    dups = warehouse.execute(
        "select person_key, winning_village_code, losing_village_code, same_month"
        " from intermediate.int_population__cross_village_duplicates"
        " where pop_date = date '2024-12-31'"
    ).fetchall()
    assert dups == [("keyD", V1, V2, True)]
    follow = warehouse.execute(
        "select year, village_code, category, person_key, household_no, first_seen_date,"
        " days_since_first_seen from marts.follow_up_list order by village_code"
    ).fetchall()
    assert follow == [
        (2024, V1, "零就业家庭", "keyA", "01", date(2024, 11, 30), 31),
        (2024, V2, "零就业家庭", "keyE", "05", date(2024, 12, 31), 0),
    ]
