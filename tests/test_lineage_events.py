"""OpenLineage events validate against the (vendored) spec schema and link to the run."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from audit_fixtures import SHA_A, SHA_B, YEAR, make_home

from yiye import lineage
from yiye.audit import lineage_for_workbook
from yiye.config import Home
from yiye.versioning import record_data_version

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "OpenLineage.json").read_text())


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return make_home(tmp_path / "home")


def _validate(events: list[dict]) -> None:
    validator = jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    for ev in events:
        validator.validate(ev)
        uuid.UUID(ev["run"]["runId"])


def test_all_stages_validate_and_link_to_the_pipeline_run(home: Home) -> None:
    run_id = "20240630T020000-abc"
    lineage.emit_pipeline_event(home, run_id, "START")
    files = [
        {"source_sha256": SHA_A, "archive_file": f"{SHA_A}.xlsx", "status": "accepted"},
        {"source_sha256": SHA_B, "source_file": "坏文件.csv", "status": "rejected"},
    ]
    ing = lineage.emit_ingest_events(home, run_id, files)
    dbt = lineage.emit_dbt_events(
        home, run_id, home.lineage / "manifest.json", home.lineage / "run_results.json"
    )
    rep = lineage.emit_report_events(home, run_id, [home.report_path(YEAR)])
    lineage.emit_pipeline_event(home, run_id, "COMPLETE")
    events = lineage.read_events(home)
    assert len(events) == 2 + len(ing) + len(dbt) + len(rep)
    _validate(events)

    parent = lineage.run_uuid(run_id)
    assert parent == lineage.run_uuid(run_id)  # stable
    for ev in ing + dbt + rep:
        assert ev["run"]["facets"]["parent"]["run"]["runId"] == parent
        job = ev["run"]["facets"]["parent"]["job"]
        assert (job["namespace"], job["name"]) == ("yiye", "nightly")

    # ingest: one START + one end per file; the rejected file FAILs
    assert [e["eventType"] for e in ing] == ["START", "COMPLETE", "START", "FAIL"]
    assert [i["name"] for i in ing[0]["inputs"]] == [f"{SHA_A}.xlsx"]
    assert ing[2]["inputs"][0]["name"] == f"{SHA_B}.csv"
    assert ing[0]["inputs"][0]["namespace"] == f"file://{home.archive}"
    assert {o["name"] for o in ing[0]["outputs"]} >= {"raw.source_files", "raw.roster_rows"}
    assert ing[0]["outputs"][0]["namespace"] == f"duckdb://{home.warehouse}"
    assert ing[0]["run"]["runId"] == ing[1]["run"]["runId"] != ing[2]["run"]["runId"]

    # dbt: the three non-test results, inputs from depends_on, the errored model FAILs
    by_job = {}
    for e in dbt:
        by_job.setdefault(e["job"]["name"], []).append(e)
    assert sorted(by_job) == ["dbt.int_employment", "dbt.kpi_evidence", "dbt.stg_raw__roster_rows"]
    emp = by_job["dbt.int_employment"]
    assert [e["eventType"] for e in emp] == ["START", "COMPLETE"]
    assert [i["name"] for i in emp[0]["inputs"]] == [
        "staging.stg_raw__roster_rows",
        "reference.villages",
    ]
    assert [o["name"] for o in emp[0]["outputs"]] == ["intermediate.int_employment"]
    assert [i["name"] for i in by_job["dbt.stg_raw__roster_rows"][0]["inputs"]] == [
        "raw.roster_rows"
    ]
    assert by_job["dbt.kpi_evidence"][1]["eventType"] == "FAIL"

    # report: marts → workbook file
    assert [(o["namespace"], o["name"]) for o in rep[0]["outputs"]] == [
        (f"file://{home.reports}", "2024/assessment_2024.xlsx")
    ]
    assert [e["eventType"] for e in rep] == ["START", "COMPLETE"]
    assert "marts.kpi_evidence" in {i["name"] for i in rep[0]["inputs"]}


def test_dbt_events_without_run_results_cover_every_model(home: Home) -> None:
    events = lineage.emit_dbt_events(home, "r", home.lineage / "manifest.json")
    _validate(events)
    assert len(events) == 2 * 5  # five models in the fixture manifest, no seeds/tests


def test_upstream_models_and_lineage_for_workbook(home: Home) -> None:
    manifest = json.loads((home.lineage / "manifest.json").read_text())
    assert lineage.upstream_models(manifest, "model.yiye.kpi_town_year") == [
        "int_employment",
        "kpi_evidence",
        "kpi_town_year",
        "stg_raw__roster_rows",
        "villages",
    ]
    record_data_version(home, "run-7", "2024-06-30")
    data = lineage_for_workbook(home, YEAR)
    # EMP_RATE: named in indicator_catalog → upstream of int_employment only
    assert data["models_by_indicator"]["EMP_RATE"] == [
        "int_employment",
        "stg_raw__roster_rows",
        "villages",
    ]
    # OTHER: no model named → everything upstream of kpi_town_year
    assert data["models_by_indicator"]["OTHER"][-1] == "villages"
    assert "kpi_town_year" in data["models_by_indicator"]["OTHER"]
    assert "unrelated" not in data["models_by_indicator"]["OTHER"]
    assert data["run_id"] == "run-7"
    assert len(data["dbt_manifest_sha256"]) == 64
    assert data["code_version"]
    # the publishing run passes its own ids: the latest record (run-7) is a previous run's
    mine = lineage_for_workbook(
        home, YEAR, run_id="run-8", as_of=date(2024, 7, 1), code_version="cv-8"
    )
    assert (mine["run_id"], mine["as_of"], mine["code_version"]) == ("run-8", "2024-07-01", "cv-8")
    assert mine["models_by_indicator"] == data["models_by_indicator"]
    # the hash is of the manifest in lineage/ now, not the one the record saw
    manifest_path = home.lineage / "manifest.json"
    manifest_path.write_text(manifest_path.read_text() + "\n")
    changed = lineage_for_workbook(home, YEAR, run_id="run-8")
    assert changed["dbt_manifest_sha256"] == hashlib.sha256(manifest_path.read_bytes()).hexdigest()
    assert changed["dbt_manifest_sha256"] != data["dbt_manifest_sha256"]
    assert changed["as_of"] is None  # never mixed in from another run's record


def test_schema_rejects_a_malformed_event(home: Home) -> None:
    ev = lineage.emit_pipeline_event(home, "r", "START")[0]
    bad = {k: v for k, v in ev.items() if k != "producer"}
    with pytest.raises(jsonschema.ValidationError):
        _validate([bad])
    with pytest.raises(jsonschema.ValidationError):
        _validate([{**ev, "eventType": "DONE"}])
