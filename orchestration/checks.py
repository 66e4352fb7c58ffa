"""Great Expectations suites on the raw tables, as blocking Dagster asset checks.

The suites themselves live in ingest/gx_checks.py (plain GX 1.x, no Dagster); this wrapper
runs them on the warehouse being built and maps each result to the raw table it validated.
A failing suite with error severity fails the check step, so nothing downstream (dbt, the
workbooks) runs and the published warehouse and reports stay as they were.
"""

from collections import defaultdict
from typing import Any

import dagster as dg

from orchestration.assets.ingest import CHECKED_RAW_KEYS
from orchestration.resources import YiyeHome, say

GX_CHECK_NAME = "gx_expectations"


def _table_of(result: Any) -> str:
    for attr in ("table", "asset", "table_name"):
        value = getattr(result, attr, None)
        if value:
            return str(value).split(".")[-1]
    return str(getattr(result, "suite", "")).split(".")[-1]


def _is_error(result: Any) -> bool:
    severity = str(getattr(result, "severity", "error")).lower()
    return severity not in ("warn", "warning")


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            GX_CHECK_NAME,
            asset=key,
            blocking=True,
            description="Great Expectations 规则集：raw 表的结构与取值校验（失败则不发布报表）",
        )
        for key in CHECKED_RAW_KEYS
    ],
    name="gx_raw_checks",
    can_subset=True,
)
def gx_raw_checks(context: dg.AssetCheckExecutionContext, yiye: YiyeHome):
    from ingest.gx_checks import run_gx_suites, store_gx_results

    warehouse = yiye.building_home.warehouse
    say(context, "数据校验 (Great Expectations suites on raw.*)")
    results = list(run_gx_suites(warehouse, today=yiye.as_of_date))
    store_gx_results(warehouse, results)
    by_table: dict[str, list[Any]] = defaultdict(list)
    for r in results:
        by_table[_table_of(r)].append(r)
    for check_key in context.selected_asset_check_keys:
        table = check_key.asset_key.path[-1]
        mine = by_table.get(table, [])
        failed = [r for r in mine if not getattr(r, "success", False)]
        errors = [r for r in failed if _is_error(r)]
        yield dg.AssetCheckResult(
            asset_key=check_key.asset_key,
            check_name=GX_CHECK_NAME,
            passed=not failed,
            severity=dg.AssetCheckSeverity.ERROR if errors else dg.AssetCheckSeverity.WARN,
            metadata={
                "expectations": dg.MetadataValue.int(len(mine)),
                "failed": dg.MetadataValue.int(len(failed)),
                "failed_expectations": dg.MetadataValue.text(
                    "\n".join(
                        f"{getattr(r, 'expectation', '?')}({getattr(r, 'column', None) or ''})"
                        f" [{getattr(r, 'severity', 'error')}]"
                        for r in failed
                    )
                    or "-"
                ),
            },
        )
