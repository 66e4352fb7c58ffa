"""Resources: the home being built (lock + copy + swap) and the dbt CLI."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Generator
from datetime import date
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource
from pydantic import PrivateAttr

from orchestration import lineage_hooks
from orchestration.project import DBT_EXECUTABLE, dbt_project
from yiye.building import (
    BuildingHome,
    discard_building,
    keep_failed_building,
    publish_building,
    start_building,
)
from yiye.config import FIRST_YEAR_DEFAULT, Home, today_shanghai
from yiye.locking import WarehouseLock
from yiye.uptodate import build_inputs, clear_build_state, write_build_state

WAREHOUSE_ENV = "YIYE_WAREHOUSE"
# A run that materialised these rebuilt everything from the inbox to the workbooks.
FULL_RUN_KEYS = (
    dg.AssetKey(["raw", "source_files"]),
    dg.AssetKey(["marts", "kpi_town_year"]),
    dg.AssetKey(["reports", "assessment"]),
    dg.AssetKey(["reports", "data_quality"]),
)


def run_had_failures(instance: dg.DagsterInstance | None, run_id: str | None) -> bool:
    """True when any step of the run failed (a failing blocking check fails its step)."""
    if instance is None or run_id is None:
        return True
    records = instance.get_records_for_run(
        run_id, of_type={dg.DagsterEventType.STEP_FAILURE, dg.DagsterEventType.RUN_FAILURE}
    ).records
    return len(records) > 0


def run_was_full(instance: dg.DagsterInstance | None, run_id: str | None) -> bool:
    """True when the run executed the whole job (no asset subset) and materialised the
    raw tables and both workbooks: only then may the next run take the up-to-date fast path."""
    if instance is None or run_id is None:
        return False
    run = instance.get_run_by_id(run_id)
    if run is None or run.asset_selection or run.asset_check_selection:
        return False  # an asset subset (e.g. "Materialize selected" in the UI)
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
    ).records
    done = {r.event_log_entry.dagster_event.asset_key for r in records}
    return all(k in done for k in FULL_RUN_KEYS)


class YiyeHome(dg.ConfigurableResource):
    """The deployment home and the run's parameters.

    During a run every writer works on ``warehouse.building.duckdb`` (``building_home``); when
    no step failed, the copy replaces ``warehouse.duckdb`` atomically at the end of the run. The
    warehouse lock is held for the whole run, so runs from the CLI, the schedule and the sensor
    never write at the same time.
    """

    home: str = ""  # empty: $YIYE_HOME or ./var
    inbox: str = ""  # empty: home/inbox
    as_of: str = ""  # ISO date; empty: today in Asia/Shanghai
    first_year: int = FIRST_YEAR_DEFAULT
    lock_timeout_seconds: float = -1.0  # negative: $YIYE_LOCK_TIMEOUT or 600

    _building: BuildingHome | None = PrivateAttr(default=None)

    # --- plain accessors (usable outside a run, e.g. by the sensor) ---------------------------
    @property
    def published_home(self) -> Home:
        return Home.resolve(self.home or None)

    @property
    def inbox_path(self):
        from pathlib import Path

        return Path(self.inbox).expanduser().resolve() if self.inbox else self.published_home.inbox

    @property
    def as_of_date(self) -> date:
        return date.fromisoformat(self.as_of) if self.as_of else today_shanghai()

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.as_of_date.year + 1))

    def dbt_vars(self) -> dict[str, Any]:
        return {"as_of": self.as_of_date.isoformat(), "first_year": self.first_year}

    @property
    def building_home(self) -> BuildingHome:
        if self._building is None:
            raise RuntimeError("YiyeHome.building_home is only available inside a run")
        return self._building

    # --- run lifecycle ------------------------------------------------------------------------
    @contextlib.contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Generator[YiyeHome]:
        home = self.published_home.ensure()
        timeout = None if self.lock_timeout_seconds < 0 else self.lock_timeout_seconds
        lock = WarehouseLock(home.lock_file, timeout=timeout, on_wait=context.log.info)
        lock.acquire()
        previous_env = os.environ.get(WAREHOUSE_ENV)
        try:
            building = start_building(home)
            self._building = building
            os.environ[WAREHOUSE_ENV] = str(building.warehouse)
            run_id = context.run_id or "adhoc"
            lineage_hooks.pipeline_event(context.log.warning, home, run_id, "START")
            try:
                yield self
            finally:
                if previous_env is None:
                    os.environ.pop(WAREHOUSE_ENV, None)
                else:
                    os.environ[WAREHOUSE_ENV] = previous_env
                self._building = None
            failed = run_had_failures(context.instance, context.run_id)
            state = "FAIL" if failed else "COMPLETE"
            lineage_hooks.pipeline_event(context.log.warning, home, run_id, state)
            if failed:
                kept = keep_failed_building(home)
                context.log.warning(
                    "运行未成功，原数据仓库保持不变；失败时的副本保存在 "
                    f"{kept} (run failed; warehouse unchanged, failed copy kept for inspection)"
                )
            else:
                publish_building(home)
                context.log.info(f"数据仓库已更新 (warehouse published): {home.warehouse}")
                # What the published warehouse and workbooks were built from (fast path of
                # the next run); a partial run (UI subset) invalidates it instead.
                if run_was_full(context.instance, context.run_id):
                    write_build_state(
                        home, build_inputs(self.as_of_date, self.first_year), context.run_id
                    )
                else:
                    clear_build_state(home)
        except BaseException:
            discard_building(home)
            raise
        finally:
            lock.release()


def say(context: Any, message: str) -> None:
    """A progress line: into the Dagster event log and to the CLI user's terminal."""
    from yiye.runlog import progress

    context.log.info(message)
    progress(message)


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)
