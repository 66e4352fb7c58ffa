"""Audit pack (build + verify), lineage data for the 数据血缘 sheet, and reproduction.

A pack is a zip (default ``home/reports/<Y>/audit_pack_<Y>.zip``) with::

    README_审计说明.txt
    run_record.json                     code version, dbt manifest hash, as_of, source files
    workbooks/assessment_<Y>.xlsx       考核工作簿
    workbooks/data_quality_<Y>.xlsx     数据质量工作簿 (when written)
    dbt/manifest.json, dbt/run_results.json, dbt/catalog.json (when generated)
    data/source_files.csv               marts.source_files (sha256, row accounting)
    data/kpi_evidence_<Y>.csv           marts.kpi_evidence for the year (person_key only)
    data/kpi_town_year_<Y>.csv, data/kpi_village_year_<Y>.csv
    data/data_quality_issues.csv        marts.data_quality_issues (values masked)
    MANIFEST.sha256                     ``<hex>  <path>`` for every other member

The dbt artifacts are read from ``home/lineage/`` (the orchestration copies them there
after each build; ``catalog.json`` after ``dbt docs generate``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from yiye.config import TZ, Home, connect_warehouse
from yiye.versioning import code_version as current_code_version
from yiye.versioning import load_run_record, manifest_sha256

MANIFEST_NAME = "MANIFEST.sha256"
README_NAME = "README_审计说明.txt"
ZIP_TIME = (2000, 1, 1, 0, 0, 0)
DBT_ARTIFACTS = ("manifest.json", "run_results.json", "catalog.json")
REQUIRED_DBT = ("manifest.json",)

EVIDENCE_COLUMNS = (
    "year",
    "indicator_code",
    "village_code",
    "person_key",
    "enterprise_key",
    "household_no",
    "member_status",
    "in_numerator",
    "source_sha256",
    "sheet",
    "row_number",
)
SOURCE_FILE_COLUMNS = (
    "source_sha256",
    "source_file",
    "kind",
    "village_code",
    "period",
    "status",
    "reason",
    "rows_read",
    "rows_accepted",
    "rows_rejected",
    "rows_ignored",
    "ingested_at",
)
DQ_COLUMNS = (
    "source_sha256",
    "source_file",
    "sheet",
    "row_number",
    "village_code",
    "severity",
    "rule_code",
    "column_name",
    "bad_value_masked",
    "message",
)


@dataclass
class VerifyResult:
    ok: bool
    problems: list[str] = field(default_factory=list)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _table_csv(
    con: Any, table: str, columns: Iterable[str], where: str = "", params: list | None = None
) -> bytes:
    """A table as UTF-8 (BOM, for Excel) CSV: only ``columns`` that exist, in that order,
    rows sorted by all of them. Missing table → header only."""
    existing: list[str] = []
    schema, name = table.split(".")
    cols = {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchall()
    }
    existing = [c for c in columns if c in cols]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(existing if cols else list(columns))
    if cols and existing:
        sel = ", ".join(f'"{c}"' for c in existing)
        order = ", ".join(f'"{c}" nulls first' for c in existing)
        rows = con.execute(f"select {sel} from {table} {where} order by {order}", params or [])
        for row in rows.fetchall():
            w.writerow([_cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _all_columns(con: Any, table: str) -> list[str]:
    schema, name = table.split(".")
    return [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, name],
        ).fetchall()
    ]


def _data_members(home: Home, year: int) -> dict[str, bytes]:
    if not home.warehouse.exists():
        raise FileNotFoundError(str(home.warehouse))
    con = connect_warehouse(home.warehouse, read_only=True)
    try:
        yw = "where year = ?"
        out = {
            "data/source_files.csv": _table_csv(con, "marts.source_files", SOURCE_FILE_COLUMNS),
            f"data/kpi_evidence_{year}.csv": _table_csv(
                con, "marts.kpi_evidence", EVIDENCE_COLUMNS, yw, [year]
            ),
            "data/data_quality_issues.csv": _table_csv(
                con, "marts.data_quality_issues", DQ_COLUMNS
            ),
        }
        for t in ("kpi_town_year", "kpi_village_year"):
            cols = _all_columns(con, f"marts.{t}") or ["year"]
            where = yw if "year" in cols else ""
            out[f"data/{t}_{year}.csv"] = _table_csv(
                con, f"marts.{t}", cols, where, [year] if where else []
            )
        return out
    finally:
        con.close()


def _readme(year: int, record: Mapping[str, Any], members: Iterable[str]) -> str:
    listing = "\n".join(f"  - {m}" for m in sorted(members))
    return f"""宜业高桥 就业数据 {year} 年度审计包
=====================================

本压缩包用于审计核查：任一考核数字都可以追溯到原始上报文件的具体工作表和行。

运行编号 (run id)：{record.get("run_id")}
统计基准日 (as_of)：{record.get("as_of")}
程序版本 (code version)：{record.get("code_version")}
dbt 模型清单哈希 (manifest sha256)：{record.get("dbt_manifest_sha256")}

包内文件：
{listing}

各文件说明：
  workbooks/assessment_{year}.xlsx    年度考核工作簿（总体指标、村居指标等）。
  workbooks/data_quality_{year}.xlsx  数据质量工作簿。
  data/kpi_town_year_{year}.csv       全镇指标（分子、分母、指标值、目标）。
  data/kpi_village_year_{year}.csv    各村居指标。
  data/kpi_evidence_{year}.csv        指标明细证据：每个计入分母的人员/企业/户一行，
                                      in_numerator=true 表示计入分子；
                                      source_sha256 + sheet + row_number 指向原始文件的行。
                                      人员只以 person_key（加密哈希）表示，不含身份证号。
  data/source_files.csv               全部来源文件：sha256、类型、村居、月份、状态
                                      （accepted 采用 / superseded 被替代 / rejected 拒收）
                                      及读取/接受/拒绝/忽略行数。
  data/data_quality_issues.csv        数据质量问题（身份证号、电话已脱敏）。
  dbt/manifest.json 等                数据模型的完整定义与本次运行结果。
  run_record.json                     本次运行所用程序版本、模型哈希和来源文件清单。
  MANIFEST.sha256                     除本文件外每个文件的 SHA-256 校验值。

如何核对一个数字：
  1. 在考核工作簿中找到指标代码和村居，例如“村居指标”中某村的分子。
  2. 在 kpi_evidence_{year}.csv 中筛选 indicator_code 和 village_code，
     统计 in_numerator=true 的行数即为分子，全部行数即为分母（比率类指标）。
  3. 每一行的 source_sha256 对应服务中心存档目录 archive/<sha256>.xlsx 文件，
     打开该文件的 sheet 工作表第 row_number 行即为原始记录。
  4. 文件名、上报村居、月份可在 source_files.csv 中按 sha256 查到。

如何确认本包未被改动：
  在命令行执行  yiye audit-pack --verify <本压缩包路径>
  或在 Linux 下解压后执行  sha256sum -c MANIFEST.sha256
  全部显示 OK / 校验通过 即说明文件未被修改。
"""


def _run_record(home: Home, year: int) -> dict[str, Any]:
    record = load_run_record(home)
    if record is None:
        record = {
            "run_id": None,
            "as_of": None,
            "code_version": current_code_version(),
            "dbt_manifest_sha256": manifest_sha256(home.lineage),
            "source_files": [],
            "note": "no run record found in lineage/runs; built at pack time",
        }
    return record


def build_audit_pack(home: Home, year: int, out: str | os.PathLike | None = None) -> Path:
    """Write the audit pack of ``year`` and return its path.

    Raises FileNotFoundError when the assessment workbook, the warehouse or
    ``lineage/manifest.json`` is missing."""
    members: dict[str, bytes] = {}
    assessment = home.report_path(year, "assessment")
    if not assessment.exists():
        raise FileNotFoundError(str(assessment))
    members[f"workbooks/{assessment.name}"] = assessment.read_bytes()
    dq = home.report_path(year, "data_quality")
    if dq.exists():
        members[f"workbooks/{dq.name}"] = dq.read_bytes()
    for name in DBT_ARTIFACTS:
        p = home.lineage / name
        if p.exists():
            members[f"dbt/{name}"] = p.read_bytes()
        elif name in REQUIRED_DBT:
            raise FileNotFoundError(str(p))
    members.update(_data_members(home, year))
    record = _run_record(home, year)
    members["run_record.json"] = json.dumps(
        record, ensure_ascii=False, indent=2, sort_keys=True, default=str
    ).encode("utf-8")
    members[README_NAME] = _readme(year, record, [*members, README_NAME]).encode("utf-8")
    manifest = "".join(f"{_sha(data)}  {name}\n" for name, data in sorted(members.items()))
    members[MANIFEST_NAME] = manifest.encode("utf-8")

    path = Path(out) if out else home.reports / str(year) / f"audit_pack_{year}.zip"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.flag_bits |= 0x800  # UTF-8 file names
            zf.writestr(info, members[name])
    tmp.replace(path)
    return path


def verify_audit_pack(path: str | os.PathLike) -> VerifyResult:
    """Re-check every hash of ``MANIFEST.sha256``; report missing, extra, modified members."""
    problems: list[str] = []
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        return VerifyResult(False, [f"无法打开审计包 (cannot open the pack): {exc}"])
    with zf:
        names = [n for n in zf.namelist() if not n.endswith("/")]
        if MANIFEST_NAME not in names:
            return VerifyResult(False, [f"缺少校验清单 (missing): {MANIFEST_NAME}"])
        expected: dict[str, str] = {}
        for i, line in enumerate(zf.read(MANIFEST_NAME).decode("utf-8").splitlines(), 1):
            if not line.strip():
                continue
            digest, sep, name = line.partition("  ")
            if not sep or len(digest) != 64:
                problems.append(f"校验清单第 {i} 行格式错误 (bad MANIFEST line {i}): {line!r}")
                continue
            expected[name] = digest.lower()
        present = set(names)
        for name, digest in sorted(expected.items()):
            if name not in present:
                problems.append(f"缺少文件 (missing member): {name}")
            elif _sha(zf.read(name)) != digest:
                problems.append(f"文件已被修改 (modified member): {name}")
        for name in sorted(present - set(expected) - {MANIFEST_NAME}):
            problems.append(f"多余文件 (extra member, not in MANIFEST): {name}")
    return VerifyResult(not problems, problems)


# --------------------------------------------------------------------------- lineage data


def _indicator_models(home: Home) -> dict[str, list[str]]:
    """indicator_code → dbt models named in marts.indicator_catalog.models (if present)."""

    if not home.warehouse.exists():
        return {}
    con = connect_warehouse(home.warehouse, read_only=True)
    try:
        cols = _all_columns(con, "marts.indicator_catalog")
        if "indicator_code" not in cols:
            return {}
        sel = "indicator_code, models" if "models" in cols else "indicator_code, null"
        out: dict[str, list[str]] = {}
        for code, models in con.execute(f"select {sel} from marts.indicator_catalog").fetchall():
            if isinstance(models, list | tuple):
                out[code] = [str(m) for m in models]
            else:
                out[code] = [m for m in re.split(r"[|,;\s]+", str(models or "")) if m]
        return out
    finally:
        con.close()


def _kpi_codes(home: Home, year: int) -> list[str]:
    if not home.warehouse.exists():
        return []
    con = connect_warehouse(home.warehouse, read_only=True)
    try:
        if "indicator_code" not in _all_columns(con, "marts.kpi_town_year"):
            return []
        return [
            r[0]
            for r in con.execute(
                "select distinct indicator_code from marts.kpi_town_year where year = ? order by 1",
                [year],
            ).fetchall()
        ]
    finally:
        con.close()


def lineage_for_workbook(
    home: Home,
    year: int,
    *,
    run_id: str | None = None,
    as_of: date | str | None = None,
    code_version: str | None = None,
) -> dict[str, Any]:
    """Data for the 数据血缘 sheet.

    ``models_by_indicator``: for each indicator, the sorted dbt models (and seeds) upstream
    of the models named for it in ``marts.indicator_catalog.models`` — or, when the catalog
    names none, everything upstream of ``kpi_town_year``. ``dbt_manifest_sha256``: sha256 of
    ``home/lineage/manifest.json`` as it is now (the dbt asset copies this run's manifest
    there before the reports run). ``run_id``, ``as_of``, ``code_version``: the arguments.
    The run that is publishing passes its own, because its run record is only written after
    the workbooks; without ``run_id`` they come from the latest run record (a previous run).
    """
    from yiye.lineage import upstream_models

    manifest_path = home.lineage / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8")) if manifest_path.exists() else {}
    by_name = {
        n["name"]: uid
        for uid, n in manifest.get("nodes", {}).items()
        if n.get("resource_type") == "model"
    }
    catalog = _indicator_models(home)
    codes = sorted(set(catalog) | set(_kpi_codes(home, year)))
    fallback = (
        upstream_models(manifest, by_name["kpi_town_year"]) if "kpi_town_year" in by_name else []
    )
    models_by_indicator: dict[str, list[str]] = {}
    for code in codes:
        named = [m for m in catalog.get(code, []) if m in by_name]
        if named:
            models: set[str] = set()
            for m in named:
                models.update(upstream_models(manifest, by_name[m]))
            models_by_indicator[code] = sorted(models)
        else:
            models_by_indicator[code] = fallback
    # a run id given = the current run: the latest record belongs to another run, never mix
    record = (load_run_record(home) or {}) if run_id is None else {}
    if isinstance(as_of, date):
        as_of = as_of.isoformat()
    return {
        "models_by_indicator": models_by_indicator,
        "dbt_manifest_sha256": manifest_sha256(home.lineage),
        "run_id": run_id or record.get("run_id"),
        "as_of": as_of or record.get("as_of"),
        "code_version": code_version or record.get("code_version") or current_code_version(),
    }


# --------------------------------------------------------------------------- reproduction


def reproduce_year(
    home: Home,
    year: int,
    run_record: Mapping[str, Any],
    out_dir: str | os.PathLike,
) -> Path:
    """Rebuild ``year``'s assessment workbook from the archive into a fresh home ``out_dir``.

    The archived files listed in ``run_record['source_files']`` are copied into the new
    inbox under their original inbox-relative names and modification times, the person key is copied (``secret.key``), and the nightly job runs with the
    record's ``as_of``. Returns the new workbook's path."""
    from yiye.runner import run_nightly

    new = Home.resolve(out_dir).ensure()
    if home.secret_key_file.exists():
        shutil.copy2(home.secret_key_file, new.secret_key_file)
    for f in run_record.get("source_files", []):
        sha = str(f["source_sha256"])
        matches = sorted(home.archive.glob(f"{sha}.*"))
        if not matches:
            raise FileNotFoundError(f"archive/{sha}.*")
        src = matches[0]
        # the original inbox-relative name: village and month may come from the path
        rel = Path(str(f.get("source_file") or src.name))
        if rel.is_absolute() or ".." in rel.parts:
            rel = Path(src.name)
        dst = new.inbox / rel
        if dst.exists():  # two versions under one name: keep both, distinct names
            dst = dst.with_name(f"{sha[:8]}_{dst.name}")
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
        mtime = f.get("file_mtime")
        if mtime:  # within one run the later-modified file supersedes (sources.md)
            ts = datetime.fromisoformat(str(mtime)).replace(tzinfo=TZ).timestamp()
            os.utime(dst, (ts, ts))
    as_of = run_record.get("as_of")
    saved = {k: os.environ.get(k) for k in ("YIYE_HOME", "YIYE_WAREHOUSE", "DAGSTER_HOME")}
    try:
        result = run_nightly(new, as_of=date.fromisoformat(as_of) if as_of else None, quiet=True)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    if not result.ok:
        raise RuntimeError(f"reproduction run failed: {result.error}")
    return new.report_path(year, "assessment")


def run_specific_values(record: Mapping[str, Any]) -> list[str]:
    """The values of a run record that legitimately differ between a workbook and its
    reproduction, to pass (for both records) as ``compare_workbooks(ignore=...)``: the run
    id (封面!B8; 数据血缘 only refers to it) and the dbt manifest hash (数据血缘: dbt stamps
    its invocation id and timestamps into manifest.json, so every run has its own). With the
    generation time (封面!B7) these are the only cells allowed to differ (docs/AUDIT.md)."""
    return [str(v) for v in (record.get("run_id"), record.get("dbt_manifest_sha256")) if v]


def _comparable(value: Any, ignore: Iterable[str]) -> Any:
    if isinstance(value, datetime):
        return "<datetime>"
    if isinstance(value, str):
        for token in ignore:
            if token and token in value:
                return "<ignored>"
        if _TIMESTAMP.search(value):
            return _TIMESTAMP.sub("<time>", value)
    return value


_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?")


def compare_workbooks(a: Path, b: Path, *, ignore: Iterable[str] = ()) -> list[str]:
    """Cells whose values differ between two workbooks (``sheet!R1C1: x != y``), ignoring
    generation times (datetimes, timestamp text) and cells containing an ``ignore`` token
    (``run_specific_values`` of both run records). Sheet lists and sizes must match."""
    from openpyxl import load_workbook

    tokens = [t for t in ignore if t]
    wa = load_workbook(a, read_only=True, data_only=True)
    wb = load_workbook(b, read_only=True, data_only=True)
    diffs: list[str] = []
    try:
        if wa.sheetnames != wb.sheetnames:
            return [f"sheets: {wa.sheetnames} != {wb.sheetnames}"]
        for name in wa.sheetnames:
            ra = list(wa[name].iter_rows(values_only=True))
            rb = list(wb[name].iter_rows(values_only=True))
            if len(ra) != len(rb):
                diffs.append(f"{name}: {len(ra)} rows != {len(rb)} rows")
                continue
            for i, (x, y) in enumerate(zip(ra, rb, strict=True), 1):
                for j in range(max(len(x), len(y))):
                    va = x[j] if j < len(x) else None
                    vb = y[j] if j < len(y) else None
                    if _comparable(va, tokens) != _comparable(vb, tokens):
                        diffs.append(f"{name}!R{i}C{j + 1}: {va!r} != {vb!r}")
    finally:
        wa.close()
        wb.close()
    return diffs
