"""Tier 4: the lineage ledger. The current definitions are compared to a committed snapshot
(tests/snapshots/definitions.json) so any change to assets, dependencies, checks, jobs,
schedules or sensors shows up in review.

Regenerate after an intended change:  YIYE_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_orchestration_snapshot.py
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import dagster as dg
import pytest

SNAPSHOT = Path(__file__).parent / "snapshots" / "definitions.json"


def ledger(defs: dg.Definitions) -> dict:
    graph = defs.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "deps": sorted(k.to_user_string() for k in node.parent_keys),
            "materializable": node.is_materializable,
        }
    checks = sorted(
        f"{k.asset_key.to_user_string()}:{k.name}"
        + (" [blocking]" if graph.get_check_spec(k).blocking else "")
        for k in graph.asset_check_keys
    )
    jobs = {}
    for job in defs.resolve_all_job_defs():
        if job.name.startswith("__"):
            continue
        jobs[job.name] = {
            "executor": job.executor_def.name,
            "assets": len(job.asset_layer.asset_graph.get_all_asset_keys()),
        }
    schedules = {
        s.name: {"cron": s.cron_schedule, "timezone": s.execution_timezone, "job": s.job_name}
        for s in defs.schedules or []
    }
    sensors = {s.name: {"job": s.job_name} for s in (defs.sensors or [])}
    return {
        "assets": assets,
        "asset_checks": checks,
        "jobs": jobs,
        "schedules": schedules,
        "sensors": sensors,
    }


def render(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


@pytest.mark.usefixtures("dbt_manifest")
def test_lineage_ledger_matches_snapshot(request) -> None:
    from orchestration.definitions import defs

    current = render(ledger(defs))
    update = os.environ.get("YIYE_UPDATE_SNAPSHOTS") or request.config.getoption(
        "--update-snapshots", default=False
    )
    if update or not SNAPSHOT.exists():
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(current, encoding="utf-8")
        if not update:
            pytest.fail(f"snapshot did not exist; written to {SNAPSHOT} — review and commit it")
        return
    expected = SNAPSHOT.read_text(encoding="utf-8")
    if current != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                current.splitlines(keepends=True),
                fromfile="tests/snapshots/definitions.json (committed)",
                tofile="current definitions",
            )
        )
        pytest.fail(
            "The asset graph changed. If intended, regenerate with YIYE_UPDATE_SNAPSHOTS=1 "
            "(or --update-snapshots) and commit the snapshot.\n" + diff
        )
