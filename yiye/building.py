"""Crash-safe builds: every run writes to a copy of the warehouse and swaps it in at the end.

``warehouse.duckdb`` is only ever replaced by ``os.replace`` of a finished, checkpointed
``warehouse.building.duckdb``. A run killed half-way leaves the previous warehouse (and the
previous reports) untouched; the next run simply starts a fresh copy.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from yiye.config import Home, connect_warehouse

BUILDING_SUFFIX = ".building.duckdb"


@dataclass(frozen=True)
class BuildingHome(Home):
    """A Home whose ``warehouse`` is the copy being built (everything else unchanged)."""

    building: Path = Path()

    @property
    def warehouse(self) -> Path:  # type: ignore[override]
        return self.building

    @property
    def published_warehouse(self) -> Path:
        return Home(self.root).warehouse


def building_path(home: Home) -> Path:
    published = Home(home.root).warehouse
    return published.with_name(published.name.removesuffix(".duckdb") + BUILDING_SUFFIX)


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def discard_building(home: Home) -> None:
    """Remove a leftover copy (from a killed or failed run)."""
    target = building_path(home)
    for p in (target, _wal(target)):
        p.unlink(missing_ok=True)


def failed_path(home: Home) -> Path:
    return building_path(home).with_name("warehouse.failed.duckdb")


def keep_failed_building(home: Home) -> Path | None:
    """Keep the copy of a failed run as warehouse.failed.duckdb for inspection (dbt's
    audit_failures rows, the raw rows of the failing check); the previous one is replaced."""
    target = building_path(home)
    if not target.exists():
        return None
    dest = failed_path(home)
    try:
        checkpoint(target)
    except Exception:  # noqa: BLE001 - a broken copy is still worth keeping as it is
        pass
    _wal(dest).unlink(missing_ok=True)
    os.replace(target, dest)
    if _wal(target).exists():
        os.replace(_wal(target), _wal(dest))
    return dest


def start_building(home: Home) -> BuildingHome:
    """Copy the published warehouse (if any) to the building path; return the building Home."""
    discard_building(home)
    published = Home(home.root).warehouse
    target = building_path(home)
    target.parent.mkdir(parents=True, exist_ok=True)
    if published.exists():
        tmp = target.with_name(target.name + ".tmp")
        shutil.copy2(published, tmp)
        if _wal(published).exists():  # an unclean close of an older version; keep its log
            shutil.copy2(_wal(published), _wal(target))
        os.replace(tmp, target)
    return BuildingHome(root=home.root, building=target)


def checkpoint(path: Path) -> None:
    """Fold the write-ahead log into the database file so one file is the whole warehouse."""

    if not path.exists():
        return
    con = connect_warehouse(path)
    try:
        con.execute("checkpoint")
    finally:
        con.close()


def publish_building(home: Home) -> Path:
    """Atomically replace the published warehouse by the finished copy."""
    target = building_path(home)
    published = Home(home.root).warehouse
    if not target.exists():
        raise FileNotFoundError(target)
    checkpoint(target)
    _wal(target).unlink(missing_ok=True)
    _wal(published).unlink(missing_ok=True)
    os.replace(target, published)
    return published
