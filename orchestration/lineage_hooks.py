"""Thin calls into yiye.lineage (OpenLineage events) and yiye.versioning (run records).

Lineage is an audit trail written next to the data; failing to write it is logged as a
warning and never fails a run (the data itself is fine)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from yiye.config import Home, connect_warehouse


def _call(log: Callable[[str], None], module: str, name: str, *args: Any, **kwargs: Any) -> Any:
    try:
        mod = __import__(module, fromlist=[name])
        fn = getattr(mod, name)
    except (ImportError, AttributeError):
        log(f"{module}.{name} 不可用，跳过血缘记录 (lineage helper not available)")
        return None
    try:
        return fn(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - lineage must not break a run
        log(f"血缘记录写入失败 (lineage not written): {name}: {exc}")
        return None


def pipeline_event(log: Callable[[str], None], home: Home, run_id: str, state: str) -> None:
    _call(log, "yiye.lineage", "emit_pipeline_event", Home(home.root), run_id, state)


def ingest_events(log: Callable[[str], None], home: Home, warehouse: Path, run_id: str) -> None:
    """One START/COMPLETE (FAIL for a rejected file) pair per file this run ingested."""
    import duckdb

    con = connect_warehouse(warehouse, read_only=True)
    try:
        rows = con.execute(
            "select source_sha256, source_file, archive_path, status from raw.source_files "
            "where ingest_run_id = ? order by source_sha256",
            [run_id],
        ).fetchall()
    except duckdb.Error:
        rows = []
    finally:
        con.close()
    files = [
        {
            "source_sha256": sha,
            "source_file": src,
            "archive_file": Path(arch).name if arch else None,
            "status": status,
        }
        for sha, src, arch, status in rows
    ]
    if files:
        _call(log, "yiye.lineage", "emit_ingest_events", Home(home.root), run_id, files)


def dbt_events(log: Callable[[str], None], home: Home, run_id: str) -> None:
    manifest = home.lineage / "manifest.json"
    if manifest.exists():
        _call(
            log,
            "yiye.lineage",
            "emit_dbt_events",
            Home(home.root),
            run_id,
            manifest,
            home.lineage / "run_results.json",
        )


def report_events(
    log: Callable[[str], None], home: Home, run_id: str, paths: Iterable[Path]
) -> None:
    _call(log, "yiye.lineage", "emit_report_events", Home(home.root), run_id, list(paths))
