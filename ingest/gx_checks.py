"""Great Expectations 1.x suites on the raw tables (no Dagster here).

`run_gx_suites(warehouse)` reads each raw table through a read-only DuckDB connection into a
pandas DataFrame, validates it with an ephemeral GX context (one `ValidationDefinition` per
table) and returns one `GxResult` per expectation. `store_gx_results` appends them to
`raw.gx_results`. GX is imported lazily: importing this module stays cheap.

Scope: by default (``scope="latest"``) only the rows of the files ingested by the latest
ingest run are validated — the rows of earlier runs were validated when they arrived (a run
whose check failed never published them), so the nightly cost follows the new files, not the
history. ``raw.source_files`` (one row per file) is always validated whole, so the
uniqueness of ``source_sha256`` still covers the history. ``scope="all"`` validates everything.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ingest import normalize as nz
from ingest import specs
from ingest.raw_schema import columns, create_raw_schema
from yiye.config import connect_warehouse
from yiye.privacy import mask_value

ID_REGEX = r"^\d{17}[\dX]$"
USCC_REGEX = r"^[0-9A-HJ-NPQRTUWXY]{18}$"
TAGS_REGEX = r"^$|^\|(?:(?:" + "|".join(nz.TAGS) + r")\|)+$"
FIRST_DATE = date(1950, 1, 1)
STATUSES = tuple(nz.STATUS_SYNONYMS)


@dataclass
class GxResult:
    table: str
    expectation: str
    success: bool
    unexpected_count: int | None
    details: str
    column: str | None = None
    severity: str = "error"  # error | warning
    suite: str = ""


def _values(parser: Any) -> list[str]:
    # enum parsers are closures over their value table; recover the canonical values
    table = parser.__closure__[0].cell_contents
    return sorted(set(table.values()))


def _suite_specs(today: date) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Per raw table: (expectation class name, kwargs). Dates are checked as Timestamps."""
    import pandas as pd

    lo, hi = pd.Timestamp(FIRST_DATE), pd.Timestamp(date(today.year + 1, 12, 31))

    def not_null(*cols: str) -> list[tuple[str, dict]]:
        return [("ExpectColumnValuesToNotBeNull", {"column": c}) for c in cols]

    def in_range(*cols: str) -> list[tuple[str, dict]]:
        return [
            ("ExpectColumnValuesToBeBetween", {"column": c, "min_value": lo, "max_value": hi})
            for c in cols
        ]

    def ids(*cols: str) -> list[tuple[str, dict]]:
        return [("ExpectColumnValuesToMatchRegex", {"column": c, "regex": ID_REGEX}) for c in cols]

    def in_set(col: str, values: Any) -> tuple[str, dict]:
        return ("ExpectColumnValuesToBeInSet", {"column": col, "value_set": list(values)})

    def non_negative(*cols: str) -> list[tuple[str, dict]]:
        return [("ExpectColumnValuesToBeBetween", {"column": c, "min_value": 0}) for c in cols]

    prov = not_null("source_sha256", "source_file", "sheet", "row_number", "ingested_at")
    return {
        "source_files": [
            *not_null("source_sha256", "status", "ingest_seq", "archive_path"),
            ("ExpectColumnValuesToBeUnique", {"column": "source_sha256"}),
            (
                "ExpectColumnValuesToMatchRegex",
                {"column": "source_sha256", "regex": r"^[0-9a-f]{64}$"},
            ),
            in_set("status", ["accepted", "rejected"]),
            in_set("kind", ["roster", "enterprise_register", "training"]),
            (
                "ExpectColumnPairValuesToBeEqual",
                {"column_A": "rows_read", "column_B": "rows_accounted"},
            ),
        ],
        "sheet_accounting": [
            *not_null("source_sha256", "sheet", "rows_read"),
            (
                "ExpectColumnPairValuesToBeEqual",
                {"column_A": "rows_read", "column_B": "rows_accounted"},
            ),
        ],
        "roster_rows": [
            *prov,
            *not_null(
                "village_code",
                "report_month",
                "person_name",
                "id_number",
                "person_key",
                "household_no",
                "employment_status",
                "wish_to_work",
                "tags",
            ),
            *ids("id_number"),
            ("ExpectColumnValuesToMatchRegex", {"column": "village_code", "regex": r"^\d{12}$"}),
            in_set("employment_status", STATUSES),
            in_set("wish_to_work", ["有", "无"]),
            in_set("sex", ["男", "女"]),
            ("ExpectColumnValuesToMatchRegex", {"column": "tags", "regex": TAGS_REGEX}),
            in_set("relation", _values(specs.RELATION)),
            in_set("hukou", _values(specs.HUKOU)),
            in_set("education", _values(specs.EDUCATION)),
            *in_range("report_month", "employment_date", "unemployment_reg_date"),
            ("ExpectColumnValuesToMatchRegex", {"column": "employer_uscc", "regex": USCC_REGEX}),
        ],
        "referral_rows": [
            *prov,
            *not_null("id_number", "person_key", "referral_date", "employer_name", "placed"),
            *ids("id_number"),
            *in_range("referral_date", "start_date", "end_date"),
        ],
        "enterprises": [
            *prov,
            *not_null("uscc", "enterprise_name", "founded_date", "business_status", "export_date"),
            ("ExpectColumnValuesToMatchRegex", {"column": "uscc", "regex": USCC_REGEX}),
            in_set("business_status", ["存续", "注销", "吊销", "迁出"]),
            in_set("org_type", _values(specs.ORG_TYPE)),
            *in_range("founded_date", "end_date", "export_date"),
            *non_negative("headcount"),
        ],
        "startup_support": [
            *prov,
            *not_null("uscc", "founder_id", "founder_key", "support_date", "support_type"),
            *ids("founder_id"),
            in_set("support_type", _values(specs.SUPPORT_TYPE)),
            *in_range("support_date"),
            *non_negative("amount", "jobs_created"),
        ],
        "vacancies": [
            *prov,
            *not_null("uscc", "job_title", "openings", "posted_date"),
            ("ExpectColumnValuesToBeBetween", {"column": "openings", "min_value": 1}),
            *non_negative("salary_min", "salary_max"),
            *in_range("posted_date", "closing_date"),
            in_set("job_status", _values(specs.JOB_STATUS)),
        ],
        "training_rows": [
            *prov,
            *not_null(
                "class_id",
                "course_name",
                "training_category",
                "start_date",
                "end_date",
                "id_number",
                "person_key",
                "completed",
            ),
            *ids("id_number"),
            in_set("training_category", _values(specs.TRAINING_CATEGORY)),
            in_set("certificate_level", _values(specs.CERT_LEVEL)),
            (
                "ExpectColumnValuesToBeBetween",
                {"column": "attendance_rate", "min_value": 0.0, "max_value": 1.0},
            ),
            *in_range("start_date", "end_date", "certificate_date"),
        ],
        "dq_issues": [
            *not_null("source_sha256", "severity", "rule_code", "message"),
            in_set("severity", ["error", "warning"]),
            # privacy: never a raw 15/18-digit ID or an 11-digit mobile in a message
            (
                "ExpectColumnValuesToNotMatchRegex",
                {"column": "bad_value_masked", "regex": r"\d{11,}"},
            ),
            ("ExpectColumnValuesToNotMatchRegex", {"column": "message", "regex": r"\d{15,}"}),
        ],
    }


WARNING_EXPECTATIONS = frozenset({"ExpectColumnValuesToBeBetween"})  # date plausibility only


CHUNK_VECTORS = 128  # DuckDB vectors (2,048 rows each) per validated chunk: ~262k rows


# Tables validated whole even in the "latest" scope (small: one row per file / per sheet).
ALWAYS_WHOLE = frozenset({"source_files"})
LATEST_FILES_SQL = (
    "select source_sha256 from raw.source_files where ingest_seq = "
    "(select max(ingest_seq) from raw.ingest_runs)"
)


def _select_sql(table: str, scope: str) -> str:
    if scope == "all" or table in ALWAYS_WHOLE:
        return f"select * from raw.{table}"
    if scope != "latest":
        raise ValueError(f"unknown scope {scope!r}")
    return f"select * from raw.{table} where source_sha256 in ({LATEST_FILES_SQL})"


def _chunks(
    con: Any, table: str, chunk_vectors: int = CHUNK_VECTORS, scope: str = "all"
) -> Iterator[Any]:
    """The table as pandas DataFrames of bounded size (at least one, possibly empty)."""
    import pandas as pd

    cur = con.execute(_select_sql(table, scope))
    dates = [c for c, t in _types(table).items() if t == "date"]
    first = True
    while True:
        df = cur.fetch_df_chunk(chunk_vectors)
        if len(df) == 0 and not first:
            return
        first = False
        for col in dates:
            if col in df.columns:
                df[col] = pd.to_datetime(df[col])
        if table in ("source_files", "sheet_accounting"):
            df["rows_accounted"] = df["rows_accepted"] + df["rows_rejected"] + df["rows_ignored"]
        yield df
        if len(df) == 0:
            return


def _types(table: str) -> dict[str, str]:
    from ingest.raw_schema import column_types

    return column_types(table)


def run_gx_suites(
    warehouse: Path, *, today: date | None = None, scope: str = "latest"
) -> list[GxResult]:
    """Validate the raw tables (rows of the latest ingest run, or ``scope="all"``); one
    GxResult per expectation (plus column presence)."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations as gx
    import great_expectations.expectations as gxe

    today = today or date.today()
    context = gx.get_context(mode="ephemeral")
    _quiet(context)
    source = context.data_sources.add_pandas("raw")
    con = connect_warehouse(warehouse, read_only=True)
    results: list[GxResult] = []
    try:
        for table, exps in _suite_specs(today).items():
            asset = source.add_dataframe_asset(table)
            batch = asset.add_batch_definition_whole_dataframe(f"{table}_all")
            suite = context.suites.add(gx.ExpectationSuite(name=f"raw.{table}"))
            for col in columns(table):
                suite.add_expectation(gxe.ExpectColumnToExist(column=col))
            for cls, kwargs in exps:
                suite.add_expectation(getattr(gxe, cls)(**kwargs))
            vd = context.validation_definitions.add(
                gx.ValidationDefinition(data=batch, suite=suite, name=f"validate_{table}")
            )
            merged: dict[tuple[str, str], GxResult] = {}  # insertion-ordered
            # bounded memory; results summed over chunks
            for df in _chunks(con, table, CHUNK_VECTORS, scope):
                run = vd.run(batch_parameters={"dataframe": df}, result_format="SUMMARY")
                for r in run.results:
                    key = _key(r.expectation_config)
                    merged[key] = _merge(merged.get(key), _to_result(table, r))
            results.extend(merged.values())
    finally:
        con.close()
    return results


def _key(cfg: Any) -> tuple[str, str]:
    kwargs = {k: _jsonable(v) for k, v in cfg.kwargs.items() if k != "batch_id"}
    return str(cfg.type), json.dumps(kwargs, sort_keys=True, ensure_ascii=False, default=str)


def _to_result(table: str, r: Any) -> GxResult:
    cfg = r.expectation_config
    col = cfg.kwargs.get("column") or cfg.kwargs.get("column_A")
    res = r.result or {}
    sample = [mask_value(v) for v in (res.get("partial_unexpected_list") or [])[:5]]
    details = {k: _jsonable(v) for k, v in cfg.kwargs.items() if k != "batch_id"}
    if sample:
        details["sample"] = sample
    if r.exception_info and r.exception_info.get("raised_exception"):
        details["exception"] = str(r.exception_info.get("exception_message"))[:300]
    return GxResult(
        table=table,
        expectation=str(cfg.type),
        success=bool(r.success),
        unexpected_count=res.get("unexpected_count"),
        details=json.dumps(details, ensure_ascii=False, default=str),
        column=col,
        severity="warning" if _is_warning(cfg.type, col) else "error",
        suite=f"raw.{table}",
    )


def _merge(acc: GxResult | None, new: GxResult) -> GxResult:
    """Combine the results of one expectation over two chunks."""
    if acc is None:
        return new
    counts = [c for c in (acc.unexpected_count, new.unexpected_count) if c is not None]
    return GxResult(
        table=acc.table,
        expectation=acc.expectation,
        success=acc.success and new.success,
        unexpected_count=sum(counts) if counts else None,
        details=acc.details if not acc.success or new.success else new.details,
        column=acc.column,
        severity=acc.severity,
        suite=acc.suite,
    )


def _is_warning(expectation_type: str, column: str | None) -> bool:
    """Date plausibility (1950 .. next year) is a warning; structure and code sets are errors."""
    return expectation_type == "expect_column_values_to_be_between" and bool(
        column and ("date" in column or column == "report_month")
    )


def _jsonable(v: Any) -> Any:
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    if isinstance(v, (list, tuple, set)):
        return [_jsonable(x) for x in v][:20]
    return str(v)


def _quiet(context: Any) -> None:
    try:
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context.variables.progress_bars = ProgressBarsConfig(globally=False)
    except Exception:  # noqa: BLE001 - cosmetic only
        pass


def store_gx_results(warehouse: Path, results: list[GxResult]) -> None:
    """Append the results to raw.gx_results (one transaction)."""
    import pandas as pd

    from ingest.pipeline import now_local

    checked_at = now_local()
    df = pd.DataFrame(  # noqa: F841 - read by DuckDB's replacement scan
        [
            {
                "checked_at": checked_at,
                "table_name": r.table,
                "expectation": r.expectation,
                "column_name": r.column,
                "success": r.success,
                "unexpected_count": r.unexpected_count,
                "details": r.details,
                "severity": r.severity,
            }
            for r in results
        ],
        columns=[
            "checked_at",
            "table_name",
            "expectation",
            "column_name",
            "success",
            "unexpected_count",
            "details",
            "severity",
        ],
    )
    con = connect_warehouse(warehouse)
    try:
        create_raw_schema(con)
        con.begin()
        if len(df):
            con.execute("insert into raw.gx_results by name select * from df")
        con.commit()
    finally:
        con.close()
