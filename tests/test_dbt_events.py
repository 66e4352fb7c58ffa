"""Reconcile the start-up Kaplan–Meier mart with an independent Python computation.

Builds raw rows of one register export into a scratch DuckDB, runs dbt on the graph upstream
of `survival_curve_startups`, and compares every month's at-risk/events/censored/survival and
Greenwood bounds with a hand-written product-limit estimator.
"""

from __future__ import annotations

import calendar
import math
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
DBT = ROOT / ".venv" / "bin" / "dbt"
AS_OF = date(2024, 12, 31)

# (uscc, first support date, later support date or None, 经营状态, 注销日期)
ENTERPRISES: list[tuple[str, date, date | None, str, date | None]] = [
    (
        "E01",
        date(2022, 1, 31),
        date(2022, 6, 1),
        "注销",
        date(2022, 2, 28),
    ),  # 01-31 + 1 month = 02-28: event at 1
    ("E02", date(2022, 1, 15), None, "注销", date(2022, 7, 20)),  # event at 6
    ("E03", date(2022, 3, 1), None, "迁出", date(2022, 9, 1)),  # censored at 6
    ("E04", date(2022, 5, 10), None, "存续", None),  # censored at as_of (31)
    (
        "E05",
        date(2022, 8, 31),
        None,
        "吊销",
        date(2023, 2, 28),
    ),  # 08-31 + 6 months = 02-28: event at 6
    ("E06", date(2023, 1, 1), None, "注销", date(2025, 3, 1)),  # after as_of: censored (23)
    ("E07", date(2023, 4, 30), None, "注销", date(2023, 10, 30)),  # event at 6
    ("E08", date(2023, 6, 15), None, "存续", None),  # censored (18)
    ("E09", date(2024, 2, 29), None, "注销", date(2024, 8, 28)),  # event at 5
    ("E10", date(2024, 7, 1), None, "存续", None),  # censored (5)
]


def add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def whole_months(start: date, end: date) -> int:
    m = 12 * (end.year - start.year) + end.month - start.month
    return m - 1 if add_months(start, m) > end else m


def python_km() -> list[tuple[int, int, int, int, float, float, float]]:
    subjects = []
    for _, origin, _, status, end in ENTERPRISES:
        if status in ("注销", "吊销") and end is not None and end <= AS_OF:
            subjects.append((whole_months(origin, end), True))
        elif status == "迁出" and end is not None and end <= AS_OF:
            subjects.append((whole_months(origin, end), False))
        else:
            subjects.append((whole_months(origin, AS_OF), False))
    rows = []
    survival, greenwood = 1.0, 0.0
    for month in range(max(t for t, _ in subjects) + 1):
        n = sum(1 for t, _ in subjects if t >= month)
        d = sum(1 for t, e in subjects if t == month and e)
        c = sum(1 for t, e in subjects if t == month and not e)
        if d:
            survival *= 1 - d / n
            greenwood += d / (n * (n - d)) if n > d else 0.0
        se = math.sqrt(survival * survival * greenwood)
        rows.append(
            (
                month,
                n,
                d,
                c,
                survival,
                max(0.0, survival - 1.96 * se),
                min(1.0, survival + 1.96 * se),
            )
        )
    return rows


def _load_raw(path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from ingest.raw_schema import create_raw_schema

    con = duckdb.connect(str(path))
    create_raw_schema(con)
    sha = "r" * 64
    con.execute(
        "insert into raw.source_files (source_sha256, source_file, file_name, archive_path, kind,"
        " period, status, ingest_seq, ingested_at) values (?, 'reg.xlsx', 'reg.xlsx', 'a/reg.xlsx',"
        " 'enterprise_register', ?, 'accepted', 1, now())",
        [sha, date(2024, 12, 1)],
    )
    row = 3
    for uscc, first, later, status, end in ENTERPRISES:
        con.execute(
            "insert into raw.enterprises (source_sha256, source_file, sheet, row_number, ingested_at,"
            " export_date, uscc, enterprise_name, founded_date, business_status, end_date, village_code)"
            " values (?, 'reg.xlsx', '企业名录', ?, now(), ?, ?, ?, ?, ?, ?, '310115104001')",
            [sha, row, date(2024, 12, 1), uscc, uscc, first, status, end],
        )
        for support in [first] + ([later] if later else []):
            row += 1
            con.execute(
                "insert into raw.startup_support (source_sha256, source_file, sheet, row_number,"
                " ingested_at, export_date, uscc, founder_id, founder_key, founder_id_masked,"
                " support_date, support_type) values (?, 'reg.xlsx', '创业扶持', ?, now(), ?, ?, ?, ?,"
                " 'x', ?, '开业指导')",
                [sha, row, date(2024, 12, 1), uscc, "id" + uscc, "k" + uscc, support],
            )
        row += 1
    con.close()


@pytest.mark.skipif(not DBT.exists(), reason="project venv with dbt is required")
def test_km_startups_matches_python(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    _load_raw(warehouse)
    env = {**os.environ, "YIYE_WAREHOUSE": str(warehouse)}
    result = subprocess.run(
        [
            str(DBT),
            "build",
            "--profiles-dir",
            ".",
            "--vars",
            f'{{as_of: "{AS_OF.isoformat()}"}}',
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
            "-s",
            "+survival_curve_startups",
            "--exclude",
            "test_type:data",
        ],
        cwd=ROOT / "dbt_project",
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    con = duckdb.connect(str(warehouse), read_only=True)
    got = con.execute(
        "select month, at_risk, events, censored, survival, ci_lower, ci_upper"
        " from marts.survival_curve_startups order by month"
    ).fetchall()
    expected = python_km()
    assert [r[:4] for r in got] == [r[:4] for r in expected]
    for g, e in zip(got, expected, strict=True):
        for a, b in zip(g[4:], e[4:], strict=True):
            assert a == pytest.approx(b, abs=1e-9)
    # spot checks by hand: E01 (01-31 -> 02-28 = 1 calendar month) is the first event
    assert got[0][:4] == (0, 10, 0, 0)
    assert got[1][:4] == (1, 10, 1, 0)
    assert got[1][4] == pytest.approx(0.9)
