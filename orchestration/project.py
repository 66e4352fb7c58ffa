"""The one DbtProject of this code location, and how its manifest gets prepared.

The manifest (dbt_project/target/manifest.json) is a build artifact, never committed. It is
(re)generated with ``dbt parse`` when missing or older than any file of the dbt project, so a
fresh checkout, ``yiye run`` and the test suite all load the current graph.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from yiye.config import DBT_PROJECT_DIR


def _dbt_executable() -> str:
    """dbt next to this interpreter (the venv), else whatever is on PATH."""
    local = Path(sys.executable).parent / "dbt"
    return str(local) if local.exists() else (shutil.which("dbt") or "dbt")


DBT_EXECUTABLE = _dbt_executable()

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

_SOURCE_DIRS = ("models", "seeds", "macros", "tests", "snapshots", "analyses")


def _newest_source_mtime(project_dir: Path) -> float:
    newest = (project_dir / "dbt_project.yml").stat().st_mtime
    for name in _SOURCE_DIRS:
        root = project_dir / name
        if not root.exists():
            continue
        for dirpath, _dirs, files in os.walk(root):
            for f in files:
                try:
                    newest = max(newest, os.stat(os.path.join(dirpath, f)).st_mtime)
                except FileNotFoundError:  # a file being rewritten by an editor
                    continue
    return newest


def manifest_is_stale(project: DbtProject = dbt_project) -> bool:
    manifest = project.manifest_path
    if not manifest.exists():
        return True
    return manifest.stat().st_mtime < _newest_source_mtime(Path(project.project_dir))


def ensure_manifest(project: DbtProject = dbt_project, *, force: bool = False) -> Path:
    """Run ``dbt parse`` when the manifest is missing or stale; return its path."""
    if force or manifest_is_stale(project):
        os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        (
            DbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE)
            .cli(["parse", "--quiet"], target_path=project.target_path)
            .wait()
        )
    return project.manifest_path
