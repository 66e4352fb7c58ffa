"""Shared look of both workbooks: CJK font, header row, widths, print setup."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from copy import copy
from datetime import datetime

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

# 等线 (DengXian) is the Office CJK default; LibreOffice/WPS fall back to any installed CJK font.
FONT_NAME = "等线"
BODY = Font(name=FONT_NAME, size=10)
BOLD = Font(name=FONT_NAME, size=10, bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
MET_FILL = PatternFill("solid", fgColor="C6EFCE")
UNMET_FILL = PatternFill("solid", fgColor="FFC7CE")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
PCT = "0.0%"
INT = "#,##0"
DEC2 = "0.00"
FIXED_CREATED = datetime(2022, 1, 1)
NA = "不适用"


def text_width(value: object) -> int:
    """Display width: CJK/full-width characters count 2."""
    s = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def new_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "宜业高桥数据仓库"
    wb.properties.lastModifiedBy = "宜业高桥数据仓库"
    wb.properties.created = FIXED_CREATED
    wb.properties.modified = FIXED_CREATED
    return wb


def setup_sheet(ws: Worksheet, header_row: int = 1) -> None:
    """Frozen header, header repeated on print, A4 landscape fit to width."""
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4


def write_header(ws: Worksheet, headers: Sequence[str], row: int = 1) -> None:
    for j, h in enumerate(headers, start=1):
        c = ws.cell(row=row, column=j, value=h)
        c.font = BOLD
        c.fill = HEADER_FILL
        c.border = BORDER
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=False)


def write_row(
    ws: Worksheet, row: int, values: Sequence[object], formats: Sequence[str | None] | None = None
) -> None:
    cache = _style_cache(ws)
    for j, v in enumerate(values, start=1):
        c = ws.cell(row=row, column=j, value=v)
        fmt = formats[j - 1] if formats and j - 1 < len(formats) else None
        if not (fmt and isinstance(v, int | float) and not isinstance(v, bool)):
            fmt = None
        styled = cache.get(fmt)
        if styled is not None:
            c._style = copy(styled)  # reuse the registered style: setting fonts is slow
            continue
        c.font = BODY
        c.border = BORDER
        if fmt:
            c.number_format = fmt
        cache[fmt] = copy(c._style)


def _style_cache(ws: Worksheet) -> dict[str | None, object]:
    """Per-workbook cache of the style array of a body cell for each number format."""
    wb = ws.parent
    cache = getattr(wb, "_yiye_body_styles", None)
    if cache is None:
        cache = {}
        wb._yiye_body_styles = cache
    return cache


def fit_widths(
    ws: Worksheet, headers: Sequence[str], rows: Iterable[Sequence[object]] = (), cap: int = 60
) -> None:
    widths = [text_width(h) + 2 for h in headers]
    for r in rows:
        for j, v in enumerate(r[: len(widths)]):
            w = 10 if isinstance(v, float) else text_width(v) + 2
            widths[j] = max(widths[j], min(w, cap))
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = max(w, 8)


def table_sheet(
    wb: Workbook,
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    formats: Sequence[str | None] | None = None,
) -> Worksheet:
    """A plain table: header in row 1, data below."""
    ws = wb.create_sheet(title)
    write_header(ws, headers)
    for i, r in enumerate(rows, start=2):
        write_row(ws, i, r, formats)
    fit_widths(ws, headers, rows)
    setup_sheet(ws)
    return ws


def na(value: float | None) -> float | str:
    """A rate or NULL → the value itself or 不适用."""
    return NA if value is None else value
