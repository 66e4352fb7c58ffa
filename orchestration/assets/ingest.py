"""The inbox (observed) and the Python ingest that writes the raw.* tables."""

import dataclasses
from typing import Any

import dagster as dg

from orchestration import lineage_hooks
from orchestration.resources import YiyeHome, say
from yiye.config import connect_warehouse

INBOX_KEY = dg.AssetKey(["inbox", "files"])

# Keep in step with ingest/raw_schema.py and dbt_project/models/staging/_raw__sources.yml.
RAW_TABLES: dict[str, str] = {
    "source_files": "每个交来的文件（按内容 sha256）及其状态、拒收原因与行数核对",
    "sheet_accounting": "每个工作表的行数核对：读取 = 接收 + 拒收 + 忽略",
    "roster_rows": "村居人员台账（人员台账 工作表）的有效行",
    "referral_rows": "推荐上岗记录的有效行",
    "enterprises": "企业登记导出：企业名录",
    "startup_support": "企业登记导出：创业扶持记录",
    "vacancies": "企业登记导出：岗位空缺",
    "training_rows": "职业培训台账的有效行",
    "dq_issues": "数据质量问题：被拒收的行与警告（身份证、电话已脱敏）",
    "ingest_runs": "每次采集运行的记录（批次号、文件数、行数）",
}
RAW_KEYS = [dg.AssetKey(["raw", t]) for t in RAW_TABLES]
# Tables the dbt sources read, validated by the Great Expectations suites (orchestration/checks).
CHECKED_RAW_KEYS = [k for k in RAW_KEYS if k.path[-1] != "ingest_runs"]


inbox_files = dg.AssetSpec(
    INBOX_KEY,
    group_name="raw",
    description=(
        "收件箱 inbox/：各村居、企业登记与培训机构交来的原始文件（只读，从不修改）。"
        "由 inbox_sensor 监视。"
    ),
    kinds={"file"},
)


def _summary_metadata(summary: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(summary):
        items = dataclasses.asdict(summary).items()
    else:
        items = vars(summary).items() if hasattr(summary, "__dict__") else []
    return {k: v for k, v in items if isinstance(v, int | float | str) and not isinstance(v, bool)}


def _row_counts(warehouse: str) -> dict[str, int]:
    import duckdb

    con = connect_warehouse(warehouse, read_only=True)
    try:
        counts = {}
        for table in RAW_TABLES:
            try:
                counts[table] = con.execute(f"select count(*) from raw.{table}").fetchone()[0]
            except duckdb.CatalogException:
                counts[table] = 0
        return counts
    finally:
        con.close()


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            description=RAW_TABLES[key.path[-1]],
            group_name="raw",
            deps=[INBOX_KEY],
            kinds={"python", "duckdb"},
        )
        for key in RAW_KEYS
    ],
    name="ingest_inbox",
    description="扫描收件箱：新文件先存档，再校验、规范化并写入 raw.*；有问题的行隔离并记录。",
    can_subset=False,
)
def ingest_assets(context: dg.AssetExecutionContext, yiye: YiyeHome):
    from ingest.pipeline import ingest_inbox

    building = yiye.building_home
    say(context, f"采集收件箱 (ingesting) {yiye.inbox_path}")
    summary = ingest_inbox(
        building, yiye.inbox_path, progress=lambda m: say(context, m), run_id=context.run_id
    )
    meta = _summary_metadata(summary)
    errors = list(getattr(summary, "errors", []) or [])
    if errors:  # unexpected per-file errors: rolled back by ingest, retried next run
        meta["errors"] = "\n".join(errors)
        for line in errors:
            context.log.warning(f"文件处理出错，下次运行将重试 (will retry next run): {line}")
    counts = _row_counts(str(building.warehouse))
    lineage_hooks.ingest_events(context.log.warning, building, building.warehouse, context.run_id)
    for key in RAW_KEYS:
        table = key.path[-1]
        extra = meta if table == "source_files" else {}
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={"dagster/row_count": dg.MetadataValue.int(counts[table]), **extra},
        )
