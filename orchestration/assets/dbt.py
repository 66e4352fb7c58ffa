"""dbt build (models, seeds, tests as asset checks) and the dbt docs for the lineage folder."""

import json
import shutil
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration import lineage_hooks
from orchestration.project import dbt_project, ensure_manifest, manifest_is_stale
from orchestration.resources import YiyeHome, say
from orchestration.translator import YiyeDbtTranslator
from yiye.config import Home

ensure_manifest(dbt_project)

BUILD_ARTIFACTS = ("manifest.json", "run_results.json")
NIGHTLY_BUILD_FLAGS = ("--exclude-resource-type", "unit_test")
DOCS_ARTIFACTS = ("catalog.json", "manifest.json", "index.html", "static_index.html")


def dbt_target_path(home: Home) -> Path:
    """One dbt target folder per home, so two homes never share artifacts or partial parses."""
    return home.lineage / "dbt_target"


def copy_artifacts(target: Path, lineage: Path, names: tuple[str, ...]) -> list[Path]:
    lineage.mkdir(parents=True, exist_ok=True)
    copied = []
    for name in names:
        src = target / name
        if src.exists():
            dst = lineage / name
            tmp = dst.with_name(dst.name + ".tmp")
            shutil.copy2(src, tmp)
            tmp.replace(dst)
            copied.append(dst)
    return copied


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=YiyeDbtTranslator(),
    name="dbt_build",
)
def dbt_build_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource, yiye: YiyeHome):
    home = yiye.building_home
    target = dbt_target_path(home)
    dbt_vars = json.dumps(yiye.dbt_vars())
    say(context, f"dbt 建库与测试 (dbt build), vars={dbt_vars}")
    if manifest_is_stale(dbt_project):  # only while developing: files edited after loading
        raise dg.Failure(
            "dbt 项目在任务定义加载后被修改，请重新运行 "
            "(the dbt project changed after the definitions were loaded; re-run)"
        )
    # dbt unit tests check model logic on fixed fixtures, not the data: they run in the test
    # suite (tests/test_dbt_*.py), not every night (~40 of them, ~10 s at any scale).
    invocation = dbt.cli(
        ["build", "--vars", dbt_vars, *NIGHTLY_BUILD_FLAGS], context=context, target_path=target
    )
    try:
        yield from invocation.stream()
    finally:
        # run_results.json of a failed build is what an operator needs most.
        copy_artifacts(target, home.lineage, BUILD_ARTIFACTS)
        lineage_hooks.dbt_events(context.log.warning, home, context.run_id)
    say(context, "生成 dbt 文档 (dbt docs generate)")
    docs = dbt.cli(
        ["docs", "generate", "--no-compile", "--static", "--vars", dbt_vars],
        target_path=target,
        manifest=dbt_project.manifest_path,
    ).wait()
    copy_artifacts(docs.target_path, home.lineage, DOCS_ARTIFACTS)
    # `docs generate` rewrote run_results.json; keep the build's copy in lineage/.
    say(context, f"dbt 文档已生成 (dbt docs generated) → {home.lineage}")
