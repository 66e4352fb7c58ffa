"""Publish both workbooks of each year: temp file in the same folder, then os.replace."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path

from reports.assessment import build_assessment_workbook
from reports.data_quality import build_data_quality_workbook
from yiye.config import TZ, Home, connect_warehouse


def _atomic_write(target: Path, build: Callable[[Path], object]) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".xlsx.tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        build(tmp_path)
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
    return target


def publish_reports(
    home: Home,
    years: Iterable[int],
    *,
    run_id: str,
    code_version: str,
    generated_at: datetime | None = None,
    lineage: dict | None = None,
    lineage_by_year: Mapping[int, dict | None] | None = None,
) -> list[Path]:
    """Write both workbooks of every year; returns the paths written.

    The 数据血缘 sheet of year Y gets ``lineage_by_year[Y]`` when given (what
    ``yiye.audit.lineage_for_workbook(home, Y, run_id=...)`` returns), else ``lineage``."""
    generated_at = generated_at or datetime.now(TZ).replace(tzinfo=None, microsecond=0)
    written: list[Path] = []
    con = connect_warehouse(home.warehouse, read_only=True)
    try:
        for year in years:
            written.append(
                _atomic_write(
                    home.report_path(year, "assessment"),
                    lambda p, y=year: build_assessment_workbook(
                        con, y, p, run_id=run_id, code_version=code_version,
                        generated_at=generated_at,
                        lineage=(lineage_by_year or {}).get(y, lineage),
                    ),
                )
            )  # fmt: skip
            written.append(
                _atomic_write(
                    home.report_path(year, "data_quality"),
                    lambda p, y=year: build_data_quality_workbook(
                        con, y, p, run_id=run_id, code_version=code_version,
                        generated_at=generated_at,
                    ),
                )
            )  # fmt: skip
    finally:
        con.close()
    return written
