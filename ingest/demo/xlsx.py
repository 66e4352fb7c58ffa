"""A minimal, fast, deterministic xlsx writer (SpreadsheetML written by hand via zipfile).

Rows are handed over as ready XML fragments so that the generator can cache a person's
cells between months: a cached fragment is a template whose cell references (`r="C"` +
NUL) get the row number by one `str.replace` per row. Empty cells are left out. Strings
are inline (`t="inlineStr"`), dates are numbers with the date style `s="1"`. Every zip
entry has a fixed timestamp, so the same rows give byte-identical files.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from datetime import date
from pathlib import Path

_EPOCH = date(1899, 12, 30)
ZIP_DATE = (2020, 1, 1, 0, 0, 0)
FIXED_CREATED = "2020-01-01T00:00:00Z"

EMPTY = "<c/>"
NUL = "\0"


def _esc(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def s(text: str | None) -> str:
    """A text cell ('' or None gives an empty cell)."""
    if not text:
        return EMPTY
    if text[0] == " " or text[-1] == " " or "\n" in text:
        return f'<c t="inlineStr"><is><t xml:space="preserve">{_esc(text)}</t></is></c>'
    return f'<c t="inlineStr"><is><t>{_esc(text)}</t></is></c>'


def n(value: int | float) -> str:
    """A number cell."""
    return f"<c><v>{value}</v></c>"


def serial(d: date) -> int:
    return (d - _EPOCH).days


def d(value: date) -> str:
    """A real Excel date cell (number with a date format)."""
    return f'<c s="1"><v>{serial(value)}</v></c>'


def add_refs(cells: str, start_col: int = 0) -> str:
    """Give every cell its `r` reference, with NUL standing for the row number (a template).

    Empty cells are dropped (the reference places the next ones). Splitting on "<c" is safe:
    text is escaped, and closing tags are "</c>".
    """
    out = []
    for i, part in enumerate(cells.split("<c")[1:], start=start_col):
        if part != "/>":
            out.append(f'<c r="{_COLS[i]}\0"{part}')
    return "".join(out)


def row(r: int, cells: str) -> str:
    """A row from concatenated cells (references added)."""
    return f'<row r="{r}">{add_refs(cells).replace(NUL, str(r))}</row>'


def numbered_row(r: int, k: int, template: str) -> str:
    """A row whose column A holds the running number `k`, then a template from add_refs(…, 1)."""
    rs = str(r)
    return f'<row r="{rs}"><c r="A{rs}"><v>{k}</v></c>{template.replace(NUL, rs)}</row>'


def col_letter(idx: int) -> str:
    """0-based column index → letters."""
    out = ""
    idx += 1
    while idx:
        idx, rem = divmod(idx - 1, 26)
        out = chr(65 + rem) + out
    return out


class Sheet:
    def __init__(self, name: str, merge: str | None = None, widths: list[int] | None = None):
        self.name = name
        self.merge = merge
        self.widths = widths or []
        self.rows: list[str] = []

    def xml(self) -> str:
        cols = ""
        if self.widths:
            cols = (
                "<cols>"
                + "".join(
                    f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>'
                    for i, w in enumerate(self.widths)
                )
                + "</cols>"
            )
        merge = (
            f'<mergeCells count="1"><mergeCell ref="{self.merge}"/></mergeCells>'
            if self.merge
            else ""
        )
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f"{cols}<sheetData>{''.join(self.rows)}</sheetData>{merge}</worksheet>"
        )


_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="宋体"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def write_workbook(path: Path, sheets: Iterable[Sheet], *, compresslevel: int = 1) -> None:
    """Write the sheets as one .xlsx file (deterministic bytes)."""
    sheets = list(sheets)
    ct_sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        f"{ct_sheets}</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" '
        'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
        'Target="docProps/core.xml"/>'
        "</Relationships>"
    )
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:creator>yiye-demo</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{FIXED_CREATED}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{FIXED_CREATED}</dcterms:modified>'
        "</cp:coreProperties>"
    )
    wb_sheets = "".join(
        f'<sheet name="{_esc(sh.name)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, sh in enumerate(sheets, start=1)
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"<sheets>{wb_sheets}</sheets></workbook>"
    )
    n_sheets = len(sheets)
    wb_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i}" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n_sheets + 1)
        )
        + f'<Relationship Id="rId{n_sheets + 1}" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
        'Target="styles.xml"/></Relationships>'
    )
    parts: list[tuple[str, str]] = [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", rels),
        ("docProps/core.xml", core),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", wb_rels),
        ("xl/styles.xml", _STYLES),
    ]
    parts += [(f"xl/worksheets/sheet{i}.xml", sh.xml()) for i, sh in enumerate(sheets, start=1)]
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in parts:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zf.writestr(info, text.encode("utf-8"), compresslevel=compresslevel)


_COLS = [col_letter(i) for i in range(200)]
