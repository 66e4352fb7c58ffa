"""The two workbooks of every year, published from the marts they read.

Their upstream marts come from the dbt exposures (one exposure per workbook) so the asset
graph shows exactly what each workbook reads; before the exposures exist, the marts named in
interface.md/ARCHITECTURE.md that are present in the manifest stand in.
"""

import json
from collections.abc import Callable, Iterable
from pathlib import Path

import dagster as dg

from orchestration import lineage_hooks
from orchestration.project import dbt_project
from orchestration.resources import YiyeHome, say
from orchestration.translator import YiyeDbtTranslator
from yiye.config import Home
from yiye.runlog import code_version

ASSESSMENT_KEY = dg.AssetKey(["reports", "assessment"])
DATA_QUALITY_KEY = dg.AssetKey(["reports", "data_quality"])

_FALLBACK_MARTS = {
    "assessment": (
        "kpi_town_year",
        "kpi_village_year",
        "village_assessment",
        "village_assessment_summary",
        "startup_survival_cohorts",
        "job_retention_cohorts",
        "survival_curve_startups",
        "survival_curve_placements",
        "training_by_category",
        "follow_up_list",
        "indicator_catalog",
        "village_data_quality",
        "kpi_evidence",
    ),
    "data_quality": ("source_files", "data_quality_issues", "village_data_quality"),
}


def _manifest() -> dict:
    return json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))


def mart_deps(workbook: str, manifest: dict | None = None) -> list[dg.AssetKey]:
    """Asset keys of the dbt models a workbook reads (from its exposure when there is one)."""
    manifest = manifest if manifest is not None else _manifest()
    nodes = manifest.get("nodes", {})
    translator = YiyeDbtTranslator()
    ids: set[str] = set()
    for exp in manifest.get("exposures", {}).values():
        if workbook in exp.get("name", ""):
            ids.update(
                n for n in exp.get("depends_on", {}).get("nodes", []) if n.startswith("model.")
            )
    if not ids:
        wanted = set(_FALLBACK_MARTS[workbook])
        ids = {
            uid
            for uid, n in nodes.items()
            if n.get("resource_type") == "model" and n.get("name") in wanted
        }
    keys = {translator.get_asset_key(nodes[uid]) for uid in ids if uid in nodes}
    return sorted(keys, key=lambda k: k.to_user_string())


def workbook_lineage(
    warn: Callable[[str], None],
    home: Home,
    years: Iterable[int],
    *,
    run_id: str,
    as_of: str,
    code_version: str,
) -> dict[int, dict | None]:
    """Per year, the 数据血缘 data of *this* run (yiye.audit.lineage_for_workbook): the dbt
    manifest the dbt asset just copied into home/lineage and this run's id, as_of and code
    version (the latest run record is the previous run's: this run's is written after the
    workbooks). A failure leaves that year's sheet without models and hash, with a warning."""
    from yiye.audit import lineage_for_workbook

    out: dict[int, dict | None] = {}
    for year in years:
        try:
            out[year] = lineage_for_workbook(
                home, year, run_id=run_id, as_of=as_of, code_version=code_version
            )
        except Exception as exc:  # noqa: BLE001 - the figures are fine without the lineage
            warn(f"数据血缘读取失败 (lineage for {year} not available): {exc}")
            out[year] = None
    return out


def _record_data_version(
    warn: Callable[[str], None],
    home: Home,
    run_id: str,
    as_of: str,
    years: list[int],
    version: str,
) -> Path | None:
    """home/lineage/runs/<run_id>.json with the code version
    the workbooks show: asking git again could give another answer if the checkout moved on
    during the run. A failure is a warning, never a failed run."""
    from yiye.versioning import record_data_version

    try:
        return record_data_version(
            home, run_id, as_of, target_dir=home.lineage, years=years, version=version
        )
    except Exception as exc:  # noqa: BLE001 - lineage must not break a run
        warn(f"血缘记录写入失败 (lineage not written): record_data_version: {exc}")
        return None


def _reports_written(paths: Iterable) -> dict[str, dg.MetadataValue]:
    return {"files": dg.MetadataValue.text("\n".join(str(p) for p in paths))}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ASSESSMENT_KEY,
            group_name="reports",
            deps=mart_deps("assessment"),
            description="年度考核工作簿 reports/<年>/assessment_<年>.xlsx（先写临时文件再改名发布）",
            kinds={"excel"},
        ),
        dg.AssetSpec(
            DATA_QUALITY_KEY,
            group_name="reports",
            deps=mart_deps("data_quality"),
            description="数据质量清单 reports/<年>/data_quality_<年>.xlsx：各村居被拒收的行与警告",
            kinds={"excel"},
        ),
    ],
    name="publish_reports",
    can_subset=False,
)
def report_assets(context: dg.AssetExecutionContext, yiye: YiyeHome):
    from reports.publish import publish_reports

    say(context, f"发布报表 (publishing workbooks) {yiye.years[0]}–{yiye.years[-1]}")
    version = code_version()
    lineage = workbook_lineage(
        context.log.warning,
        yiye.building_home,
        yiye.years,
        run_id=context.run_id,
        as_of=yiye.as_of_date.isoformat(),
        code_version=version,
    )
    paths = publish_reports(
        yiye.building_home,
        yiye.years,
        run_id=context.run_id,
        code_version=version,
        lineage_by_year=lineage,
    )
    lineage_hooks.report_events(context.log.warning, yiye.building_home, context.run_id, paths)
    record = _record_data_version(
        context.log.warning,
        yiye.building_home,
        context.run_id,
        yiye.as_of_date.isoformat(),
        yiye.years,
        version,
    )
    if record is not None:
        say(context, f"运行记录 (run record): {record}")
    assessment = [p for p in paths if "assessment_" in p.name]
    quality = [p for p in paths if "data_quality_" in p.name]
    yield dg.MaterializeResult(asset_key=ASSESSMENT_KEY, metadata=_reports_written(assessment))
    yield dg.MaterializeResult(asset_key=DATA_QUALITY_KEY, metadata=_reports_written(quality))
