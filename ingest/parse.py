"""One file → a `ParsedFile`: kind detection by content, metadata, per-sheet reading.

Pure (no database); the pipeline adds provenance and writes the result in one transaction.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ingest import normalize as nz
from ingest import specs
from ingest.files import FileRejected, LoadedFile, load_file
from ingest.rules import ERROR, FILE_REASONS, Issue, file_issue
from ingest.sheets import SheetContext, SheetResult, SheetSpec, find_header, read_sheet
from yiye.config import PROJECT_ROOT

VILLAGES_CSV = PROJECT_ROOT / "dbt_project" / "seeds" / "villages.csv"
META_SEARCH_ROWS = 15


@dataclass(frozen=True)
class Villages:
    by_code: dict[str, str]  # code -> name
    by_name: dict[str, str]  # name -> code


def load_villages(path: Path = VILLAGES_CSV) -> Villages:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    by_code = {r["village_code"].strip(): nz.text(r["village_name"]) for r in rows}
    return Villages(by_code, {n: c for c, n in by_code.items()})


@dataclass
class SheetOutput:
    table: str  # raw table name
    result: SheetResult
    # The accepted records as columns (raw column -> values), set by the pipeline's parser
    # workers instead of result.records: lists pickle and insert much faster than dicts.
    columns: dict[str, list] | None = None


@dataclass
class ParsedFile:
    kind: str | None = None
    village_code: str | None = None
    period: date | None = None
    has_referral_sheet: bool | None = None
    reason_code: str | None = None  # set → whole file rejected
    reason: str | None = None
    sheets: list[SheetOutput] = field(default_factory=list)
    file_issues: list[Issue] = field(default_factory=list)  # sheet-level issues, warnings

    @property
    def rejected(self) -> bool:
        return self.reason_code is not None

    def reject(self, code: str, detail: str | None = None) -> ParsedFile:
        issue = file_issue(code, detail)
        self.reason_code, self.reason = code, issue.message
        self.sheets = []
        self.file_issues = [issue]
        return self

    def totals(self) -> tuple[int, int, int, int]:
        rs = [s.result for s in self.sheets]
        return (
            sum(r.rows_read for r in rs),
            sum(r.rows_accepted for r in rs),
            sum(r.rows_rejected for r in rs),
            sum(r.rows_ignored for r in rs),
        )


def _sheet_key(name: str) -> str:
    return nz.column_name(name)


def find_meta(rows: list[list[object]], label: str, limit: int = META_SEARCH_ROWS) -> object:
    """Value of a `label | value` pair in the first rows (e.g. A2 村居代码 / B2 code)."""
    for row in rows[:limit]:
        for j, v in enumerate(row):
            name = nz.column_name(v)
            if name.startswith(label + ":") and len(name) > len(label) + 1:
                return name[len(label) + 1 :]  # 'label：value' in one cell
            if name.rstrip(":") == label:
                for w in row[j + 1 :]:
                    if not nz.is_blank(w):
                        return w
                return None
    return None


def _header_names(rows: list[list[object]], anchor: str) -> set[str]:
    h = find_header(rows, anchor)
    return set() if h is None else {nz.column_name(v) for v in rows[h]}


def detect_kind(loaded: LoadedFile) -> tuple[str | None, str | None]:
    """(kind, main sheet name) by sheet names, then by anchor columns."""
    names = {_sheet_key(n): n for n in loaded.sheets}
    if "人员台账" in names:
        return "roster", names["人员台账"]
    if "企业名录" in names:
        return "enterprise_register", names["企业名录"]
    for name, rows in loaded.sheets.items():
        if find_header(rows, "班级编号") is not None:
            return "training", name
    for name, rows in loaded.sheets.items():  # renamed sheets: recognise by columns
        cols = _header_names(rows, "身份证号码")
        if {"户编号", "就业状态"} <= cols:
            return "roster", name
        cols = _header_names(rows, "统一社会信用代码")
        if {"企业名称", "经营状态"} <= cols:
            return "enterprise_register", name
    return None, None


def _village_code(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "".join(nz.text(value).split())


def parse_loaded(loaded: LoadedFile, villages: Villages, today: date | None = None) -> ParsedFile:
    out = ParsedFile()
    kind, main = detect_kind(loaded)
    if kind is None or main is None:
        return out.reject("unknown_kind")
    out.kind = kind
    if kind == "roster":
        return _parse_roster(out, loaded, main, villages, today)
    if kind == "enterprise_register":
        return _parse_register(out, loaded, main, villages, today)
    return _parse_training(out, loaded, today)


def parse_path(path: Path, villages: Villages, today: date | None = None) -> ParsedFile:
    try:
        loaded = load_file(path)
    except FileRejected as exc:
        return ParsedFile().reject(exc.rule_code, exc.detail)
    return parse_loaded(loaded, villages, today)


def _missing_cols_detail(sheet: str, res: SheetResult | None, anchor: str) -> str:
    cols = [anchor] if res is None or res.header_row is None else res.missing_columns
    return f"工作表「{sheet}」缺少必填列「{'、'.join(cols)}」"


def _read_optional_sheet(
    out: ParsedFile, rows: list[list[object]], spec: SheetSpec, table: str, ctx: SheetContext
) -> bool:
    """Read a secondary sheet; a missing column rejects only this sheet. True if read."""
    res = read_sheet(rows, spec, ctx)
    if res.header_row is None or res.missing_columns:
        detail = _missing_cols_detail(ctx.sheet, res, spec.anchor)
        out.file_issues.append(
            Issue(ERROR, "missing_column", f"{detail}，该工作表未读取", ctx.sheet)
        )
        if res.header_row is not None:
            out.sheets.append(SheetOutput(table, _drop_records(res)))
        return False
    out.sheets.append(SheetOutput(table, res))
    return True


def _drop_records(res: SheetResult) -> SheetResult:
    res.records = []
    res.issues = []
    return res


def _parse_roster(
    out: ParsedFile, loaded: LoadedFile, main: str, villages: Villages, today: date | None
) -> ParsedFile:
    rows = loaded.sheets[main]
    code_raw = find_meta(rows, "村居代码")
    code = _village_code(code_raw) if code_raw is not None else ""
    out.village_code = code or None
    if code not in villages.by_code:
        shown = code if code else "（空）"
        return out.reject("unknown_village", f"「村居代码」{shown}")
    name = find_meta(rows, "村居名称")
    period_raw = find_meta(rows, "报表期")
    try:
        out.period = nz.parse_month(period_raw) if period_raw is not None else None
    except ValueError:
        out.period = None
    if out.period is None:
        return out.reject("bad_period", f"「报表期」{nz.text(period_raw) or '（空）'}")
    if name is not None and nz.text(name) != villages.by_code[code]:
        out.file_issues.append(
            Issue(
                "warning",
                "village_name_mismatch",
                f"「村居名称」{nz.text(name)} 与村居代码 {code} 对应的名称“{villages.by_code[code]}”不一致，按村居代码处理",
                main,
                2,
                "村居名称",
                nz.text(name),
            )
        )
    ctx = SheetContext(sheet=main, report_month=out.period, today=today)
    res = read_sheet(rows, specs.ROSTER, ctx)
    if res.header_row is None or res.missing_columns:
        keep_village = out.village_code
        out.reject("missing_column", _missing_cols_detail(main, res, specs.ROSTER.anchor))
        out.village_code = keep_village
        return out
    out.sheets.append(SheetOutput("roster_rows", res))
    ref_sheet = {_sheet_key(n): n for n in loaded.sheets}.get("推荐上岗记录")
    out.has_referral_sheet = False
    if ref_sheet is not None:
        rctx = SheetContext(sheet=ref_sheet, report_month=out.period, today=today)
        out.has_referral_sheet = _read_optional_sheet(
            out, loaded.sheets[ref_sheet], specs.REFERRAL, "referral_rows", rctx
        )
    return out


def _parse_register(
    out: ParsedFile, loaded: LoadedFile, main: str, villages: Villages, today: date | None
) -> ParsedFile:
    raw = find_meta(loaded.sheets[main], "导出日期")
    if raw is None:
        for rows in loaded.sheets.values():
            raw = find_meta(rows, "导出日期")
            if raw is not None:
                break
    try:
        out.period = nz.parse_date(raw) if raw is not None else None
    except ValueError:
        out.period = None
    if out.period is None:
        return out.reject("bad_export_date", f"{nz.text(raw) or '（空）'}")
    ctx = SheetContext(
        sheet=main, today=today, villages=villages.by_code, village_names=villages.by_name
    )
    res = read_sheet(loaded.sheets[main], specs.ENTERPRISES, ctx)
    if res.header_row is None or res.missing_columns:
        return out.reject(
            "missing_column", _missing_cols_detail(main, res, specs.ENTERPRISES.anchor)
        )
    out.sheets.append(SheetOutput("enterprises", res))
    known = {r["uscc"] for r in res.records}
    names = {_sheet_key(n): n for n in loaded.sheets}
    for sheet_key, spec, table in (
        ("创业扶持", specs.SUPPORT, "startup_support"),
        ("岗位信息", specs.VACANCIES, "vacancies"),
    ):
        if sheet_key in names:
            sctx = SheetContext(sheet=names[sheet_key], today=today, known_uscc=known)
            _read_optional_sheet(out, loaded.sheets[names[sheet_key]], spec, table, sctx)
    return out


def _parse_training(out: ParsedFile, loaded: LoadedFile, today: date | None) -> ParsedFile:
    seen: set = set()
    problems: list[tuple[str, str]] = []  # (sheet, detail)
    for name, rows in loaded.sheets.items():
        if find_header(rows, specs.TRAINING.anchor) is None:
            continue
        ctx = SheetContext(sheet=name, today=today, seen_keys=seen)
        res = read_sheet(rows, specs.TRAINING, ctx)
        if res.missing_columns:
            problems.append((name, _missing_cols_detail(name, res, specs.TRAINING.anchor)))
            out.sheets.append(SheetOutput("training_rows", _drop_records(res)))
            continue
        out.sheets.append(SheetOutput("training_rows", res))
    if problems and len(problems) == len(out.sheets):
        return out.reject("missing_column", "；".join(d for _, d in problems))
    for sheet, detail in problems:
        out.file_issues.append(Issue(ERROR, "missing_column", f"{detail}，该工作表未读取", sheet))
    return out


__all__ = ["FILE_REASONS", "ParsedFile", "Villages", "load_villages", "parse_loaded", "parse_path"]
