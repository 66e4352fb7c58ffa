"""Audit pack: build → verify OK; tampered / missing / extra members are reported."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from audit_fixtures import SHA_A, YEAR, make_home

from yiye.audit import MANIFEST_NAME, README_NAME, build_audit_pack, verify_audit_pack
from yiye.config import Home
from yiye.versioning import record_data_version


@pytest.fixture
def home(tmp_path: Path) -> Home:
    h = make_home(tmp_path / "home")
    record_data_version(h, "run-1", "2024-06-30")
    return h


def _rewrite(src: Path, dst: Path, *, change=None, drop=None, add=None) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for name in zin.namelist():
            if name == drop:
                continue
            data = zin.read(name)
            if name == change:
                data = data[:-2] + bytes([data[-2] ^ 1]) + data[-1:]
            zout.writestr(name, data)
        if add:
            zout.writestr(add, b"extra")


def _csv(zf: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(zf.read(name).decode("utf-8-sig"))))


def test_build_contents_and_verify_ok(home: Home) -> None:
    path = build_audit_pack(home, YEAR)
    assert path == home.reports / "2024" / "audit_pack_2024.zip"
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        assert names == {
            README_NAME,
            MANIFEST_NAME,
            "run_record.json",
            "workbooks/assessment_2024.xlsx",
            "dbt/manifest.json",
            "dbt/run_results.json",
            "dbt/catalog.json",
            "data/source_files.csv",
            "data/kpi_evidence_2024.csv",
            "data/kpi_town_year_2024.csv",
            "data/kpi_village_year_2024.csv",
            "data/data_quality_issues.csv",
        }
        # MANIFEST: sha256sum format over every other member
        lines = zf.read(MANIFEST_NAME).decode().splitlines()
        assert len(lines) == len(names) - 1
        for line in lines:
            digest, name = line.split("  ", 1)
            assert hashlib.sha256(zf.read(name)).hexdigest() == digest
        ev = _csv(zf, "data/kpi_evidence_2024.csv")
        assert [r["person_key"] for r in ev] == ["pk1", "pk2", "pk3"]  # 2023 row excluded
        assert "id_number" not in ev[0]  # no raw IDs, even if the mart had one
        assert sum(r["in_numerator"] == "true" for r in ev) == 2
        assert b"310115199001011234" not in b"".join(zf.read(n) for n in names)
        town = _csv(zf, "data/kpi_town_year_2024.csv")
        assert town == [
            {"year": "2024", "indicator_code": "EMP_RATE", "numerator": "2", "denominator": "3"}
        ]
        sf = _csv(zf, "data/source_files.csv")
        assert [(r["source_sha256"], r["status"]) for r in sf] == [
            (SHA_A, "accepted"),
            ("b" * 64, "rejected"),
        ]
        rec = json.loads(zf.read("run_record.json"))
        assert rec["run_id"] == "run-1" and rec["as_of"] == "2024-06-30"
        assert (
            rec["dbt_manifest_sha256"]
            == hashlib.sha256((home.lineage / "manifest.json").read_bytes()).hexdigest()
        )
        readme = zf.read(README_NAME).decode()
        assert "审计包" in readme and "run-1" in readme
    result = verify_audit_pack(path)
    assert result.ok and result.problems == []


def test_build_is_deterministic(home: Home, tmp_path: Path) -> None:
    a = build_audit_pack(home, YEAR, out=tmp_path / "a.zip")
    b = build_audit_pack(home, YEAR, out=tmp_path / "b.zip")
    assert a.read_bytes() == b.read_bytes()


def test_tampered_member_is_reported(home: Home, tmp_path: Path) -> None:
    path = build_audit_pack(home, YEAR)
    bad = tmp_path / "bad.zip"
    _rewrite(path, bad, change="data/kpi_evidence_2024.csv")
    result = verify_audit_pack(bad)
    assert not result.ok
    assert result.problems == ["文件已被修改 (modified member): data/kpi_evidence_2024.csv"]


def test_missing_member_is_reported(home: Home, tmp_path: Path) -> None:
    path = build_audit_pack(home, YEAR)
    bad = tmp_path / "bad.zip"
    _rewrite(path, bad, drop="dbt/manifest.json")
    result = verify_audit_pack(bad)
    assert result.problems == ["缺少文件 (missing member): dbt/manifest.json"]


def test_extra_member_is_reported(home: Home, tmp_path: Path) -> None:
    path = build_audit_pack(home, YEAR)
    bad = tmp_path / "bad.zip"
    _rewrite(path, bad, add="data/injected.csv")
    result = verify_audit_pack(bad)
    assert result.problems == ["多余文件 (extra member, not in MANIFEST): data/injected.csv"]


def test_missing_manifest_and_not_a_zip(home: Home, tmp_path: Path) -> None:
    path = build_audit_pack(home, YEAR)
    bad = tmp_path / "bad.zip"
    _rewrite(path, bad, drop=MANIFEST_NAME)
    assert verify_audit_pack(bad).problems == [f"缺少校验清单 (missing): {MANIFEST_NAME}"]
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    assert not verify_audit_pack(junk).ok


def test_missing_workbook_raises(home: Home) -> None:
    with pytest.raises(FileNotFoundError):
        build_audit_pack(home, 2023)
