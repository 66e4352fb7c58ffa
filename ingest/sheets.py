"""Generic sheet reader: header detection, column mapping, row accounting, cell rules.

A sheet is a list of rows (lists of cell values, row 1 first, as python-calamine's
`to_python(skip_empty_area=False)` returns them). `read_sheet` turns it into accepted
records (dicts keyed by raw-table column), `Issue`s and a row accounting that always
satisfies rows_read = accepted + rejected + ignored.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from ingest import normalize as nz
from ingest.rules import ERROR, WARNING, Issue, row_issue

HEADER_SEARCH_ROWS = 15
MEMO_LIMIT = 16384  # distinct values remembered per column (and value type)
_MISS = object()
UNIQUE_KINDS = frozenset({"text", "id"})  # distinct per row, or parsed inline: not memoised
# Column -> (memo of str values, memo of other values by (type, value)); kept for the life
# of the process (a parser worker reads many files of the same villages): every memoised
# parse is a pure function of the column and the value (warnings are never memoised).
_MEMOS: dict[Col, tuple[dict, dict]] = {}
FOOTER_PREFIXES = (
    "合计",
    "小计",
    "总计",
    "填表人",
    "填报人",
    "制表人",
    "审核人",
    "填报日期",
    "填表日期",
    "说明",
    "注:",
    "备注:",
)
FOOTER_EXACT = frozenset({"注"})
# First characters of every footer (a footer test needs one of them in front)
FOOTER_FIRST = frozenset(t[0] for t in (*FOOTER_PREFIXES, *FOOTER_EXACT))


class RowError(Exception):
    """A row rejection: rule code, column, Chinese detail, offending value."""

    def __init__(self, rule: str, column: str | None, detail: str, value: object = None):
        super().__init__(rule)
        self.rule, self.column, self.detail, self.value = rule, column, detail, value


@dataclass(frozen=True)
class Col:
    """One known column of a sheet.

    kind: ignore | text | id | date | status | tags | phone | uscc | bool | int | number |
          rate | wish | sex | enum
    """

    name: str
    field: str | None
    kind: str = "text"
    required: bool = False
    missing_rule: str = "missing_required"
    parser: Callable[[object], object] | None = None  # for kind == enum
    aliases: tuple[str, ...] = ()


@dataclass
class SheetSpec:
    name: str  # canonical sheet name (also used for training sheets found by anchor)
    anchor: str
    columns: tuple[Col, ...]
    # Cross-field checks on a parsed record; may raise RowError, may return warnings.
    check: Callable[[dict, int, SheetContext], list[Issue]] | None = None

    def by_name(self) -> dict[str, Col]:
        out: dict[str, Col] = {}
        for c in self.columns:
            out[c.name] = c
            for a in c.aliases:
                out[a] = c
        return out


@dataclass
class SheetContext:
    """What cross-field checks may need (report month, known enterprises, ...)."""

    sheet: str
    report_month: date | None = None
    known_uscc: set[str] | None = None
    seen_keys: set = field(default_factory=set)
    today: date | None = None
    villages: dict[str, str] = field(default_factory=dict)  # code -> name
    village_names: dict[str, str] = field(default_factory=dict)  # name -> code


@dataclass
class SheetResult:
    sheet: str
    header_row: int | None
    records: list[dict] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    rows_ignored: int = 0
    missing_columns: list[str] = field(default_factory=list)

    def check_accounting(self) -> None:
        total = self.rows_accepted + self.rows_rejected + self.rows_ignored
        assert self.rows_read == total, f"{self.sheet}: {self.rows_read} != {total}"


def find_header(rows: Sequence[Sequence[object]], anchor: str) -> int | None:
    """0-based index of the first row (within the first 15) holding the anchor column."""
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if any(nz.column_name(v) == anchor for v in row):
            return i
    return None


def last_nonempty_row(rows: Sequence[Sequence[object]]) -> int:
    """0-based index of the last row with any non-blank cell (-1 if none)."""
    for i in range(len(rows) - 1, -1, -1):
        if any(not nz.is_blank(v) for v in rows[i]):
            return i
    return -1


def _is_footer(row: Sequence[object], skip: set[int] | frozenset[int] = frozenset()) -> bool:
    """The first non-empty cell starts a footer (合计, 填表人, 说明, 注: ...); so does the first
    non-empty cell after skipping 序号 (a numbered `合计` row)."""
    first = True  # still looking for the row's first non-empty cell
    for j, v in enumerate(row):
        if not first and j in skip:
            continue
        s = nz.text(v)
        if not s:
            continue
        if s[0] in FOOTER_FIRST and _footer_text(s):
            return True
        if not first or j not in skip:
            return False  # the first non-empty cell outside `skip` is no footer
        first = False  # a skipped column (序号): the next non-empty cell outside it decides
    return False


def _footer_text(s: str) -> bool:
    s = "".join(s.split())
    return s in FOOTER_EXACT or s.startswith(FOOTER_PREFIXES)


def _row_is_blank(row: Sequence[object], ignore_idx: set[int]) -> bool:
    """No non-blank cell outside the ignored columns (a row holding only a 序号 is blank)."""
    for j, v in enumerate(row):
        if v is None or v == "" or j in ignore_idx:
            continue
        if not nz.is_blank(v):
            return False
    return True


def _col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _text_cell(col: Col, value: object) -> str | None:
    """A text cell: normalised text; empty or a placeholder → None (rejects if required)."""
    s = nz.text(value)
    if s == "" or s in nz.PLACEHOLDERS:
        if col.required:
            raise RowError(col.missing_rule, col.name, "为空")
        return None
    return s


def _id_cell(col: Col, value: object, today: date | None) -> str:
    """An ID cell: the checked 18-character ID; empty or invalid rejects the row."""
    s = nz.text(value)
    if s == "" or s in nz.PLACEHOLDERS:
        raise RowError("bad_id", col.name, "为空")
    try:
        return nz.normalise_id(value, today=today)
    except nz.IdError as exc:
        raise RowError("bad_id", col.name, exc.reason, value) from None


def _parse_cell(col: Col, value: object, ctx: SheetContext, warnings: list, rn: int) -> object:
    """Parse one cell; raise RowError to reject the row; append warnings."""
    kind = col.kind
    if kind == "text":
        return _text_cell(col, value)
    if kind == "id":
        return _id_cell(col, value, ctx.today)
    s = nz.text(value)
    empty = s == "" or (kind != "wish" and s in nz.PLACEHOLDERS)
    if kind == "wish":
        if empty:
            return "有"
        v = {"有": "有", "无": "无", "是": "有", "否": "无"}.get(s)
        if v is None:
            warnings.append(
                row_issue(
                    WARNING,
                    "unknown_value",
                    ctx.sheet,
                    rn,
                    col.name,
                    "取值无法识别，按“有”处理",
                    value,
                )
            )
            return "有"
        return v
    if empty:
        if kind == "tags":
            return ""
        if kind == "status":
            raise RowError("bad_status", col.name, "为空")
        if col.required:
            raise RowError(col.missing_rule, col.name, "为空")
        return None
    if kind == "date":
        try:
            return nz.parse_date(value)
        except ValueError:
            raise RowError("bad_date", col.name, "日期无法识别", value) from None
    if kind == "status":
        try:
            return nz.normalise_status(value)
        except ValueError:
            raise RowError("bad_status", col.name, "就业状态无法识别", value) from None
    if kind == "tags":
        known, unknown = nz.split_tags(value)
        for t in unknown:
            warnings.append(
                row_issue(
                    WARNING,
                    "unknown_tag",
                    ctx.sheet,
                    rn,
                    col.name,
                    "人员类别无法识别，已忽略该类别",
                    t,
                )
            )
        return nz.tags_column(known)
    if kind == "phone":
        try:
            return nz.normalise_phone(value)
        except ValueError:
            warnings.append(
                row_issue(
                    WARNING, "bad_phone", ctx.sheet, rn, col.name, "电话号码无效，已清空", value
                )
            )
            return None
    if kind == "uscc":
        try:
            return nz.normalise_uscc(value)
        except ValueError:
            if col.required:
                raise RowError("bad_uscc", col.name, "统一社会信用代码无效", value) from None
            warnings.append(
                row_issue(
                    WARNING,
                    "bad_uscc",
                    ctx.sheet,
                    rn,
                    col.name,
                    "统一社会信用代码无效，已清空",
                    value,
                )
            )
            return None
    if kind == "sex":
        return {"男": "男", "女": "女", "男性": "男", "女性": "女"}.get(s, s)
    parser: Callable[[object], object] | None = {
        "bool": nz.parse_bool,
        "int": nz.parse_int,
        "number": nz.parse_number,
        "rate": nz.parse_rate,
    }.get(kind, col.parser)
    assert parser is not None, f"no parser for {col.name}"
    try:
        return parser(value)
    except ValueError:
        if kind == "enum" and not col.required:
            warnings.append(
                row_issue(
                    WARNING,
                    "unknown_value",
                    ctx.sheet,
                    rn,
                    col.name,
                    "取值不在规定范围内，已清空",
                    value,
                )
            )
            return None
        raise RowError("bad_value", col.name, "取值无效", value) from None


_TEXT, _ID = 1, 2
_DIRECT = {"text": _TEXT, "id": _ID}  # kinds read_sheet's loop parses without _parse_cell


def _memos(col: Col) -> tuple[dict | None, dict | None]:
    if col.kind in UNIQUE_KINDS:
        return None, None
    memos = _MEMOS.get(col)
    if memos is None:
        memos = _MEMOS[col] = ({}, {})
    return memos


def read_sheet(rows: Sequence[Sequence[object]], spec: SheetSpec, ctx: SheetContext) -> SheetResult:
    """Read one sheet per `spec`. Missing required columns → `missing_columns` set, rows
    counted as rejected (non-blank) or ignored (blank); the caller records the issue."""
    h = find_header(rows, spec.anchor)
    res = SheetResult(sheet=ctx.sheet, header_row=None if h is None else h + 1)
    if h is None:
        return res
    header = rows[h]
    known = spec.by_name()
    mapping: list[tuple[int, Col | None, str]] = []  # (col index, Col or None=extra, name)
    used: set[str] = set()
    for j, v in enumerate(header):
        name = nz.column_name(v)
        col = known.get(name)
        if col is not None and col.name not in used:
            used.add(col.name)
            mapping.append((j, col, col.name))
        elif name:
            extra = name if name not in {m[2] for m in mapping} else f"{name}({_col_letter(j)})"
            mapping.append((j, None, extra))
        else:
            mapping.append((j, None, f"列{_col_letter(j)}"))
    res.missing_columns = [c.name for c in spec.columns if c.required and c.name not in used]
    last = last_nonempty_row(rows)
    body = rows[h + 1 : last + 1]
    width = max((len(r) for r in body), default=0)
    for j in range(len(header), width):  # data right of the last header cell
        mapping.append((j, None, f"列{_col_letter(j)}"))
    res.rows_read = len(body)
    ignore_idx = {j for j, c, _ in mapping if c is not None and c.kind == "ignore"}
    anchor_idx = next(j for j, c, _ in mapping if c is not None and c.name == spec.anchor)

    # Unknown columns: one warning per sheet (only if some row has a value there)
    extras = [(j, n) for j, c, n in mapping if c is None]
    extras_with_data = [
        (j, n) for j, n in extras if any(j < len(r) and not nz.is_blank(r[j]) for r in body)
    ]
    if not res.missing_columns:
        for _j, n in extras_with_data:
            res.issues.append(
                Issue(
                    WARNING,
                    "unknown_column",
                    f"工作表「{ctx.sheet}」有未定义的列「{n}」，其内容已原样保留",
                    ctx.sheet,
                    None,
                    n,
                    None,
                )
            )

    # Per column, the parse of a value seen before (statuses, code lists, employers, dates,
    # phones repeat, also from month to month; see _MEMOS). str cells are memoised by value,
    # other cells by (type, value): 1, 1.0 and True are equal but parse differently.
    # Text and ID columns (distinct per row, never memoised) skip _parse_cell's dispatch.
    parsers = [
        (j, col, col.field, _DIRECT.get(col.kind, 0), *_memos(col))
        for j, col, _n in mapping
        if col is not None and col.field is not None
    ]
    check = spec.check
    defaults = [
        (c.field, "有" if c.kind == "wish" else ("" if c.kind == "tags" else None))
        for c in spec.columns
        if c.field is not None
    ]
    text, today = nz.text, ctx.today
    footer_seen = False
    for k, row in enumerate(body):
        rn = h + 2 + k  # 1-based Excel row number
        if _row_is_blank(row, ignore_idx):
            res.rows_ignored += 1
            continue
        if _is_footer(row, ignore_idx):
            footer_seen = True
            res.rows_ignored += 1
            continue
        width = len(row)
        if footer_seen:
            anchor_val = row[anchor_idx] if anchor_idx < width else None
            if nz.is_blank(anchor_val):
                res.rows_ignored += 1  # free-text lines below a footer (说明 ...)
                continue
        if res.missing_columns:
            res.rows_rejected += 1
            continue
        warnings: list[Issue] = []
        rec: dict = {"row_number": rn}
        try:
            for j, col, fld, direct, str_memo, memo in parsers:
                value = row[j] if j < width else None
                if direct == _TEXT:
                    rec[fld] = _text_cell(col, value)
                    continue
                if direct == _ID:
                    rec[fld] = _id_cell(col, value, today)
                    continue
                if memo is None:
                    rec[fld] = _parse_cell(col, value, ctx, warnings, rn)
                    continue
                if type(value) is str:
                    key: object = value
                    cache = str_memo
                else:
                    key = (type(value), value)
                    cache = memo
                hit = cache.get(key, _MISS)
                if hit is not _MISS:
                    rec[fld] = hit
                    continue
                n_warn = len(warnings)
                parsed = _parse_cell(col, value, ctx, warnings, rn)
                if len(warnings) == n_warn and len(cache) < MEMO_LIMIT:
                    cache[key] = parsed  # clean results only: warnings carry the row number
                rec[fld] = parsed
            if check is not None:
                warnings.extend(check(rec, rn, ctx))
        except RowError as e:
            res.rows_rejected += 1
            res.issues.append(row_issue(ERROR, e.rule, ctx.sheet, rn, e.column, e.detail, e.value))
            continue
        for fld, default in defaults:  # optional columns absent from the sheet
            if fld not in rec:
                rec[fld] = default
        if extras_with_data:
            ex = {
                n: text(row[j])
                for j, n in extras_with_data
                if j < width and not nz.is_blank(row[j])
            }
            rec["extra_columns"] = json.dumps(ex, ensure_ascii=False) if ex else None
        else:
            rec["extra_columns"] = None
        res.records.append(rec)
        res.issues.extend(warnings)
        res.rows_accepted += 1
    res.check_accounting()
    return res
