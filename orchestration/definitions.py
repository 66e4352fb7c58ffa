"""The one code location: `dagster dev -m orchestration.definitions` / `yiye ui`."""

from __future__ import annotations

import dagster as dg

from orchestration.assets.dbt import dbt_build_assets
from orchestration.assets.ingest import inbox_files, ingest_assets
from orchestration.assets.reports import report_assets
from orchestration.checks import gx_raw_checks
from orchestration.resources import YiyeHome, dbt_resource
from orchestration.schedules import nightly_schedule
from orchestration.sensors import build_inbox_sensor

# DuckDB has one writer: every step of the job runs in one process, one after another.
nightly_job = dg.define_asset_job(
    name="nightly_job",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="夜间任务：采集收件箱 → dbt 建库与测试 → 数据校验 → 发布各年度报表。",
)

defs = dg.Definitions(
    assets=[inbox_files, ingest_assets, dbt_build_assets, report_assets],
    asset_checks=[gx_raw_checks],
    jobs=[nightly_job],
    schedules=[nightly_schedule(nightly_job)],
    sensors=[build_inbox_sensor(nightly_job)],
    resources={"yiye": YiyeHome(), "dbt": dbt_resource()},
)
