"""Code and data versions of a run: what an auditor needs to reproduce a workbook.

``record_data_version`` writes ``home/lineage/runs/<run_id>.json`` with the code version,
the dbt manifest hash, the run's ``as_of`` and every source file the run used (sha256,
kind, status) — enough to rebuild the same workbook from ``home/archive``.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from yiye.config import PROJECT_ROOT, TZ, Home, connect_warehouse

RUNS_DIR = "runs"
_CHUNK = 1 << 20


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def code_version() -> str:
    """``git describe --always --dirty=+dirty`` of the checkout, else the package version."""
    described = _git("describe", "--always", "--tags", "--dirty=+dirty")
    if described:
        return described
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("yiye-gaoqiao")
    except PackageNotFoundError:
        return "unknown"


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def manifest_sha256(target_dir: str | Path) -> str | None:
    """sha256 of ``manifest.json`` in a dbt target dir (or the file itself); None if absent."""
    p = Path(target_dir)
    if p.is_dir():
        p = p / "manifest.json"
    return file_sha256(p) if p.exists() else None


def run_record_path(home: Home, run_id: str) -> Path:
    return home.lineage / RUNS_DIR / f"{run_id}.json"


def source_files_from_warehouse(home: Home) -> list[dict[str, Any]]:
    """Source files known to the warehouse (marts.source_files, else raw.source_files)."""

    if not home.warehouse.exists():
        return []
    con = connect_warehouse(home.warehouse, read_only=True)
    try:
        tables = {
            f"{s}.{t}"
            for s, t in con.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
        for table in ("marts.source_files", "raw.source_files"):
            if table not in tables:
                continue
            cols = {r[0] for r in con.execute(f"describe {table}").fetchall()}
            wanted = [c for c in ("source_sha256", "source_file", "kind", "status") if c in cols]
            if "source_sha256" not in wanted:
                continue
            sel = ", ".join(f"t.{c}" for c in wanted)
            join = ""
            raw_cols = (
                {r[0] for r in con.execute("describe raw.source_files").fetchall()}
                if "raw.source_files" in tables
                else set()
            )
            if "file_mtime" in raw_cols and "file_mtime" not in wanted:
                # the inbox modification time orders files within one run (sources.md)
                sel += ", r.file_mtime"
                wanted = [*wanted, "file_mtime"]
                join = (
                    " left join (select source_sha256, min(file_mtime) as file_mtime"
                    " from raw.source_files group by 1) r using (source_sha256)"
                )
            rows = con.execute(
                f"select {sel} from {table} t{join} order by t.source_sha256"
            ).fetchall()
            return [dict(zip(wanted, r, strict=True)) for r in rows]
        return []
    finally:
        con.close()


def _iso(value: date | datetime | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def record_data_version(
    home: Home,
    run_id: str,
    as_of: date | str,
    *,
    source_files: Iterable[Mapping[str, Any]] | None = None,
    target_dir: Path | None = None,
    years: Iterable[int] | None = None,
    extra: Mapping[str, Any] | None = None,
    version: str | None = None,
) -> Path:
    """Write ``home/lineage/runs/<run_id>.json`` and return its path.

    ``source_files``: rows with at least ``source_sha256`` (+ ``kind``, ``status``,
    ``source_file``); read from the warehouse when omitted. ``target_dir``: where
    ``manifest.json`` is (default ``home/lineage``). ``version``: the code version the run
    wrote into its workbooks (default: ``code_version()`` now — which differs if the
    checkout moved on during the run).
    """
    files = (
        [dict(f) for f in source_files]
        if source_files is not None
        else source_files_from_warehouse(home)
    )
    files.sort(key=lambda f: str(f.get("source_sha256")))
    archived = {p.name.split(".")[0]: p.name for p in home.archive.glob("*") if p.is_file()}
    for f in files:
        f["archive_file"] = archived.get(str(f.get("source_sha256")))
    record: dict[str, Any] = {
        "run_id": run_id,
        "as_of": _iso(as_of),
        "recorded_at": datetime.now(TZ).isoformat(timespec="seconds"),
        "code_version": version or code_version(),
        "dbt_manifest_sha256": manifest_sha256(target_dir or home.lineage),
        "years": sorted(years) if years is not None else None,
        "source_files": files,
    }
    if extra:
        record.update(extra)
    path = run_record_path(home, run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=2, default=str), "utf-8")
    tmp.replace(path)
    return path


def load_run_record(home: Home, run_id: str | None = None) -> dict[str, Any] | None:
    """The record of ``run_id``, or the most recent one; None when there is none."""
    if run_id:
        p = run_record_path(home, run_id)
        return json.loads(p.read_text("utf-8")) if p.exists() else None
    records = sorted((home.lineage / RUNS_DIR).glob("*.json"), key=lambda p: p.stat().st_mtime)
    return json.loads(records[-1].read_text("utf-8")) if records else None
