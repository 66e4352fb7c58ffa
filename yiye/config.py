"""The home folder ($YIYE_HOME) and everything that lives under it (interface.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
FIRST_YEAR_DEFAULT = 2022


# DuckDB's own default memory limit is 80 % of RAM; every connection we open (and dbt's
# profile) uses this cap instead, spilling to disk above it. Override: YIYE_DUCKDB_MEMORY_LIMIT.
DUCKDB_MEMORY_LIMIT_DEFAULT = "1GB"


def duckdb_config() -> dict[str, str]:
    """Settings for duckdb.connect(..., config=...): the same memory cap as dbt's profile."""
    return {
        "memory_limit": os.environ.get("YIYE_DUCKDB_MEMORY_LIMIT") or DUCKDB_MEMORY_LIMIT_DEFAULT
    }


def connect_warehouse(path: Path | str, *, read_only: bool = False):
    """A DuckDB connection to a warehouse file with the project's settings."""
    import duckdb

    return duckdb.connect(str(path), read_only=read_only, config=duckdb_config())


def today_shanghai() -> date:
    return datetime.now(TZ).date()


@dataclass(frozen=True)
class Home:
    """Paths of one deployment. Create with `Home.resolve()`; call `ensure()` before writing."""

    root: Path

    @classmethod
    def resolve(cls, home: str | os.PathLike | None = None) -> Home:
        raw = home or os.environ.get("YIYE_HOME") or "./var"
        return cls(Path(raw).expanduser().resolve())

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def lineage(self) -> Path:
        return self.root / "lineage"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def secret_key_file(self) -> Path:
        return self.root / "secret.key"

    @property
    def lock_file(self) -> Path:
        return self.root / ".warehouse.lock"

    def report_path(self, year: int, kind: str = "assessment") -> Path:
        return self.reports / str(year) / f"{kind}_{year}.xlsx"

    def ensure(self) -> Home:
        for p in (
            self.root,
            self.inbox,
            self.archive,
            self.reports,
            self.lineage,
            self.dagster_home,
            self.logs,
        ):
            p.mkdir(parents=True, exist_ok=True)
        return self

    def env(self) -> dict[str, str]:
        """Environment shared by the dbt profile, Dagster and subprocesses."""
        return {
            "YIYE_HOME": str(self.root),
            "YIYE_WAREHOUSE": str(self.warehouse),
            "DAGSTER_HOME": str(self.dagster_home),
            "GX_ANALYTICS_ENABLED": "false",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
