"""OpenLineage run events for each stage of a pipeline run.

Events are appended as JSON lines (the OpenLineage RunEvent schema, built with the
``openlineage-python`` client classes) to ``home/lineage/openlineage/events.jsonl``.
Every stage run (one ingest per file, one dbt model, one report) gets its own run id and a
``parent`` run facet pointing at the pipeline run (job ``yiye/nightly``, run id = the
pipeline run id, converted to a UUID when it is not one).

Datasets:
* inbox files: namespace ``file://<home>/archive``, name ``<sha256>.<ext>``
* warehouse tables: namespace ``duckdb://<home>/warehouse.duckdb``, name ``<schema>.<table>``
* workbooks: namespace ``file://<home>/reports``, name ``<year>/<file>.xlsx``
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import parent_run
from openlineage.client.serde import Serde

from yiye.config import Home

NAMESPACE = "yiye"
PIPELINE_JOB = "nightly"
PRODUCER = "https://github.com/yiye-gaoqiao/warehouse/tree/main/yiye/lineage.py"
EVENTS_FILE = "events.jsonl"
# raw tables an ingest may write (ingest/raw_schema.py)
RAW_TABLES = (
    "raw.source_files",
    "raw.roster_rows",
    "raw.enterprises",
    "raw.vacancies",
    "raw.referral_rows",
    "raw.training_rows",
    "raw.startup_support",
    "raw.dq_issues",
    "raw.sheet_accounting",
)


def events_path(home: Home) -> Path:
    return home.lineage / "openlineage" / EVENTS_FILE


def run_uuid(run_id: str) -> str:
    """A UUID for any run id: itself when it already is one, else a stable uuid5."""
    try:
        return str(uuid.UUID(str(run_id)))
    except ValueError:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"yiye:{run_id}"))


def archive_ns(home: Home) -> str:
    return f"file://{home.archive}"


def warehouse_ns(home: Home) -> str:
    return f"duckdb://{home.warehouse}"


def reports_ns(home: Home) -> str:
    return f"file://{home.reports}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parent(pipeline_run_id: str) -> parent_run.ParentRunFacet:
    return parent_run.ParentRunFacet(
        run=parent_run.Run(runId=run_uuid(pipeline_run_id)),
        job=parent_run.Job(namespace=NAMESPACE, name=PIPELINE_JOB),
        root=parent_run.Root(
            run=parent_run.RootRun(runId=run_uuid(pipeline_run_id)),
            job=parent_run.RootJob(namespace=NAMESPACE, name=PIPELINE_JOB),
        ),
        producer=PRODUCER,
    )


def _write(home: Home, events: Iterable[RunEvent]) -> list[dict[str, Any]]:
    path = events_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = [json.loads(Serde.to_json(e)) for e in events]
    with path.open("a", encoding="utf-8") as fh:
        for ev in out:
            fh.write(json.dumps(ev, ensure_ascii=False, sort_keys=True) + "\n")
    return out


def _pair(
    job_name: str,
    pipeline_run_id: str | None,
    inputs: list[InputDataset],
    outputs: list[OutputDataset],
    *,
    failed: bool = False,
    stage_run_id: str | None = None,
) -> list[RunEvent]:
    rid = stage_run_id or str(uuid.uuid4())
    facets: dict[str, Any] = {}
    if pipeline_run_id is not None:
        facets["parent"] = _parent(pipeline_run_id)
    job = Job(namespace=NAMESPACE, name=job_name)
    end = RunState.FAIL if failed else RunState.COMPLETE
    return [
        RunEvent(
            eventType=state,
            eventTime=_now(),
            run=Run(runId=rid, facets=facets),
            job=job,
            inputs=inputs,
            outputs=outputs,
            producer=PRODUCER,
        )
        for state in (RunState.START, end)
    ]


def emit_pipeline_event(home: Home, run_id: str, state: str) -> list[dict[str, Any]]:
    """One event of the pipeline run itself: ``state`` is START, COMPLETE or FAIL."""
    ev = RunEvent(
        eventType=RunState[state],
        eventTime=_now(),
        run=Run(runId=run_uuid(run_id)),
        job=Job(namespace=NAMESPACE, name=PIPELINE_JOB),
        producer=PRODUCER,
    )
    return _write(home, [ev])


def emit_ingest_events(
    home: Home,
    run_id: str,
    files: Iterable[Mapping[str, Any]],
    *,
    raw_tables: Iterable[str] = RAW_TABLES,
) -> list[dict[str, Any]]:
    """START + COMPLETE (or FAIL when ``status == 'rejected'``) per ingested file.

    ``files``: rows with ``source_sha256`` and ``archive_file`` (``<sha256>.<ext>``) or
    ``source_file`` (its extension is used), optional ``status``.
    """
    outputs = [OutputDataset(namespace=warehouse_ns(home), name=t) for t in raw_tables]
    events: list[RunEvent] = []
    for f in files:
        sha = str(f["source_sha256"])
        name = f.get("archive_file") or f"{sha}{Path(str(f.get('source_file', ''))).suffix}"
        inputs = [InputDataset(namespace=archive_ns(home), name=str(name))]
        events += _pair(
            f"ingest.{sha[:12]}",
            run_id,
            inputs,
            outputs,
            failed=f.get("status") == "rejected",
        )
    return _write(home, events)


def _relation(node: Mapping[str, Any]) -> str:
    return f"{node.get('schema')}.{node.get('alias') or node.get('name')}"


def emit_dbt_events(
    home: Home,
    run_id: str,
    manifest_path: Path,
    run_results_path: Path | None = None,
) -> list[dict[str, Any]]:
    """START + COMPLETE/FAIL per dbt model (and seed/snapshot) in ``run_results.json``
    (every model of the manifest when no run results): inputs = the relations of its
    ``depends_on.nodes`` (models, seeds, sources), output = its own relation."""
    manifest = json.loads(Path(manifest_path).read_text("utf-8"))
    nodes = {**manifest.get("nodes", {}), **manifest.get("sources", {})}
    status: dict[str, str] = {}
    if run_results_path is not None and Path(run_results_path).exists():
        for r in json.loads(Path(run_results_path).read_text("utf-8")).get("results", []):
            status[r["unique_id"]] = str(r.get("status"))
        ids = [u for u in status if u in nodes and nodes[u].get("resource_type") != "test"]
    else:
        ids = [u for u, n in manifest.get("nodes", {}).items() if n.get("resource_type") == "model"]
    ns = warehouse_ns(home)
    events: list[RunEvent] = []
    for uid in sorted(ids):
        node = nodes[uid]
        parents = [p for p in node.get("depends_on", {}).get("nodes", []) if p in nodes]
        inputs = [InputDataset(namespace=ns, name=_relation(nodes[p])) for p in sorted(parents)]
        outputs = [OutputDataset(namespace=ns, name=_relation(node))]
        failed = status.get(uid) in {"error", "fail", "runtime error"}
        events += _pair(f"dbt.{node.get('name')}", run_id, inputs, outputs, failed=failed)
    return _write(home, events)


def emit_report_events(
    home: Home,
    run_id: str,
    paths: Iterable[Path],
    *,
    marts: Iterable[str] = (
        "marts.kpi_town_year",
        "marts.kpi_village_year",
        "marts.kpi_evidence",
        "marts.source_files",
        "marts.data_quality_issues",
    ),
) -> list[dict[str, Any]]:
    """START + COMPLETE per written workbook: inputs = marts tables, output = the file."""
    inputs = [InputDataset(namespace=warehouse_ns(home), name=m) for m in marts]
    events: list[RunEvent] = []
    for p in paths:
        p = Path(p)
        try:
            name = str(p.resolve().relative_to(home.reports))
        except ValueError:
            name = p.name
        outputs = [OutputDataset(namespace=reports_ns(home), name=name)]
        events += _pair(f"report.{p.stem}", run_id, inputs, outputs)
    return _write(home, events)


def read_events(home: Home) -> list[dict[str, Any]]:
    path = events_path(home)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def upstream_models(manifest: Mapping[str, Any], unique_id: str) -> list[str]:
    """Names of all models (and seeds) upstream of ``unique_id``, itself included, sorted."""
    nodes = manifest.get("nodes", {})
    seen: set[str] = set()
    stack = [unique_id]
    while stack:
        uid = stack.pop()
        if uid in seen or uid not in nodes:
            continue
        seen.add(uid)
        stack.extend(nodes[uid].get("depends_on", {}).get("nodes", []))
    return sorted(
        nodes[u]["name"] for u in seen if nodes[u].get("resource_type") in {"model", "seed"}
    )
