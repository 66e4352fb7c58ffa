"""Code version, hashes and the per-run data-version record."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from audit_fixtures import SHA_A, SHA_B, make_home

from yiye import versioning


def test_file_and_manifest_hash(tmp_path: Path) -> None:
    p = tmp_path / "manifest.json"
    p.write_bytes(b"abc")
    expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert versioning.file_sha256(p) == expected == hashlib.sha256(b"abc").hexdigest()
    assert versioning.manifest_sha256(tmp_path) == expected
    assert versioning.manifest_sha256(p) == expected
    assert versioning.manifest_sha256(tmp_path / "nope") is None


def test_code_version_is_the_checkout() -> None:
    v = versioning.code_version()
    assert v and v != "unknown"
    # a git checkout: the abbreviated commit appears in `git describe --always`
    head = versioning._git("rev-parse", "--short", "HEAD")
    assert head is not None and head[:7] in v


def test_record_data_version_reads_the_warehouse(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    path = versioning.record_data_version(home, "run-1", "2024-06-30", years=[2024, 2023])
    assert path == home.lineage / "runs" / "run-1.json"
    rec = json.loads(path.read_text())
    assert rec["run_id"] == "run-1" and rec["as_of"] == "2024-06-30"
    assert rec["years"] == [2023, 2024]
    assert rec["code_version"] == versioning.code_version()
    assert rec["dbt_manifest_sha256"] == versioning.file_sha256(home.lineage / "manifest.json")
    assert [
        (f["source_sha256"], f["kind"], f["status"], f["archive_file"]) for f in rec["source_files"]
    ] == [
        (SHA_A, "roster", "accepted", f"{SHA_A}.xlsx"),
        (SHA_B, "roster", "rejected", f"{SHA_B}.csv"),
    ]
    assert versioning.load_run_record(home) == rec
    assert versioning.load_run_record(home, "run-1") == rec
    assert versioning.load_run_record(home, "nope") is None


def test_record_with_explicit_files(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    files = [{"source_sha256": "c" * 64, "kind": "training", "status": "accepted"}]
    rec = json.loads(
        versioning.record_data_version(home, "r2", "2024-01-31", source_files=files).read_text()
    )
    assert rec["source_files"] == [{**files[0], "archive_file": None}]


def test_record_keeps_the_code_version_the_run_published(tmp_path: Path) -> None:
    # the reports asset passes the version it wrote into the workbooks, asked once per run
    home = make_home(tmp_path / "home")
    path = versioning.record_data_version(home, "r3", "2024-06-30", version="0123abc+dirty")
    assert json.loads(path.read_text())["code_version"] == "0123abc+dirty"
