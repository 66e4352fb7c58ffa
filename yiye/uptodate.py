"""Is the published warehouse already up to date? (the fast path of a run with nothing new)

A run may skip the rebuild (ingest, checks, ``dbt build``, docs, workbooks) only when all of
these hold:

* the inbox holds no file whose sha256 is not already in the published ``raw.source_files``
  (hashes come from a (path, size, mtime_ns) cache, so unchanged files are not re-read);
* the last successful *full* run recorded the same ``as_of``, ``first_year``, code version
  and dbt project fingerprint (``home/lineage/build_state.json``, written by the run
  resource right after the warehouse was published);
* the warehouse and every published workbook of ``first_year .. year(as_of)`` exist.

``as_of`` defaults to today, so the first run of a new day rebuilds (the reporting date moves)
— by design. Importing this module is cheap (no Dagster, no dbt).
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from yiye.config import DBT_PROJECT_DIR, FIRST_YEAR_DEFAULT, Home, connect_warehouse

STATE_FILE = "build_state.json"
# What the dbt build depends on besides the data (target/, logs/ are build output).
DBT_INPUTS = ("models", "seeds", "macros", "tests", "snapshots", "analyses", "dbt_packages")
DBT_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml", "selectors.yml")
REPORT_KINDS = ("assessment", "data_quality")


def dbt_fingerprint(project_dir: Path = DBT_PROJECT_DIR) -> str:
    """sha256 over the path and content of every source file of the dbt project."""
    project_dir = Path(project_dir)
    files: list[Path] = [project_dir / n for n in DBT_FILES if (project_dir / n).is_file()]
    for name in DBT_INPUTS:
        root = project_dir / name
        if not root.is_dir():
            continue
        for dirpath, dirs, names in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            files.extend(Path(dirpath) / n for n in sorted(names) if not n.startswith("."))
    h = hashlib.sha256()
    for p in sorted(files):
        try:
            data = p.read_bytes()
        except OSError:
            continue
        h.update(p.relative_to(project_dir).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


def build_inputs(as_of: date, first_year: int = FIRST_YEAR_DEFAULT) -> dict[str, Any]:
    """Everything besides the inbox that a build's result depends on."""
    from yiye.runlog import code_version

    return {
        "as_of": as_of.isoformat(),
        "first_year": int(first_year),
        "code_version": code_version(),
        "dbt_fingerprint": dbt_fingerprint(),
    }


def state_path(home: Home) -> Path:
    return Home(home.root).lineage / STATE_FILE


def read_build_state(home: Home) -> dict[str, Any] | None:
    try:
        data = json.loads(state_path(home).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_build_state(home: Home, inputs: dict[str, Any], run_id: str | None) -> Path:
    path = state_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    tmp.write_text(
        json.dumps({**inputs, "run_id": run_id}, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    os.replace(tmp, path)
    return path


def clear_build_state(home: Home) -> None:
    state_path(home).unlink(missing_ok=True)


def expected_reports(home: Home, as_of: date, first_year: int) -> list[Path]:
    home = Home(home.root)
    return [
        home.report_path(y, kind)
        for y in range(first_year, as_of.year + 1)
        for kind in REPORT_KINDS
    ]


@dataclass
class UpToDate:
    up_to_date: bool
    reason: str  # why not (English, for logs), or "up to date"
    reports: list[str] = field(default_factory=list)
    files_seen: int = 0
    new_files: list[str] = field(default_factory=list)  # inbox paths not yet ingested


def _ingested_shas(warehouse: Path) -> set[str] | None:
    import duckdb

    try:
        con = connect_warehouse(warehouse, read_only=True)
    except duckdb.Error:
        return None
    try:
        return {r[0] for r in con.execute("select source_sha256 from raw.source_files").fetchall()}
    except duckdb.Error:
        return None
    finally:
        con.close()


def new_inbox_files(home: Home, inbox: Path, ingested: set[str]) -> tuple[int, list[str]]:
    """(files seen, relative paths of files whose content is not in ``ingested``)."""
    from ingest.hashcache import HashCache
    from ingest.pipeline import iter_inbox

    cache = HashCache.for_home(Path(home.root))
    seen = 0
    new: list[str] = []
    try:
        for path in iter_inbox(inbox):
            seen += 1
            try:
                sha = cache.sha256(path)
            except OSError:
                new.append(path.relative_to(inbox).as_posix())  # let the run report it
                continue
            if sha not in ingested:
                new.append(path.relative_to(inbox).as_posix())
    finally:
        cache.save()
    return seen, new


def check_up_to_date(
    home: Home,
    *,
    as_of: date,
    inbox: Path | None = None,
    first_year: int = FIRST_YEAR_DEFAULT,
) -> UpToDate:
    """Decide the fast path (see the module docstring). Read-only; cheap when nothing changed."""
    home = Home(home.root)
    state = read_build_state(home)
    if state is None:
        return UpToDate(False, "no successful full build recorded")
    inputs = build_inputs(as_of, first_year)
    changed = [k for k, v in inputs.items() if state.get(k) != v]
    if changed:
        return UpToDate(False, "changed since the last build: " + ", ".join(changed))
    if not home.warehouse.exists():
        return UpToDate(False, "no published warehouse")
    reports = expected_reports(home, as_of, first_year)
    missing = [p for p in reports if not p.exists()]
    if missing:
        return UpToDate(False, f"missing workbook {missing[0]}")
    ingested = _ingested_shas(home.warehouse)
    if ingested is None:
        return UpToDate(False, "cannot read raw.source_files of the published warehouse")
    seen, new = new_inbox_files(home, Path(inbox) if inbox else home.inbox, ingested)
    if new:
        return UpToDate(
            False, f"{len(new)} new file(s) in the inbox", files_seen=seen, new_files=new
        )
    return UpToDate(True, "up to date", [str(p) for p in reports], files_seen=seen)


def up_to_date_message(check: UpToDate, as_of: date) -> str:
    """The Chinese line the user sees (with the report paths on the following lines)."""
    lines = [
        f"没有新文件，数据与报表已是最新（基准日 {as_of.isoformat()}），本次未重建。"
        "如需强制重建，请运行 yiye run --force。(nothing new; warehouse and reports up to date)"
    ]
    lines += [f"  {p}" for p in check.reports]
    return "\n".join(lines)
