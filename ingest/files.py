"""File-level reading: format sniffing by magic bytes, xlsx via python-calamine, CSV decoding.

`load_file(path)` returns a `LoadedFile` (sheet name → rows) or raises `FileRejected` with a
whole-file rule code (empty_file, corrupt_file, legacy_xls, encrypted_file, bad_encoding).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineWorkbook  # imported eagerly: parser workers are forked

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
CSV_SHEET = "CSV"


class FileRejected(Exception):
    def __init__(self, rule_code: str, detail: str | None = None):
        super().__init__(rule_code)
        self.rule_code, self.detail = rule_code, detail


@dataclass
class LoadedFile:
    fmt: str  # xlsx | csv
    sheets: dict[str, list[list[object]]]
    encoding: str | None = None


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def classify_ole(data: bytes) -> str:
    """An OLE2/CFB file is either an encrypted OOXML package or a legacy BIFF workbook.

    The directory entries hold stream names in UTF-16LE; we look for them directly
    (olefile is not part of the stack).
    """
    if _utf16("EncryptedPackage") in data or _utf16("EncryptionInfo") in data:
        return "encrypted_file"
    return "legacy_xls"  # 'Workbook'/'Book' streams, or any other OLE file


def load_file(path: Path) -> LoadedFile:
    data = path.read_bytes()
    if len(data.strip()) == 0:
        raise FileRejected("empty_file")
    if data.startswith(OLE_MAGIC):
        raise FileRejected(classify_ole(data))
    if data.startswith(ZIP_MAGIC) or data.startswith(b"PK"):
        return _load_xlsx(path, data)
    return _load_csv(data)


def _load_xlsx(path: Path, data: bytes) -> LoadedFile:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "xl/workbook.xml" not in names:
                raise FileRejected("corrupt_file", "压缩包中没有 Excel 工作簿")
            bad = zf.testzip()
            if bad is not None:
                raise FileRejected("corrupt_file", f"压缩包内容损坏（{bad}）")
    except (zipfile.BadZipFile, EOFError, ValueError, OSError) as exc:
        raise FileRejected("corrupt_file") from exc
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types
        raise FileRejected("corrupt_file") from exc
    sheets: dict[str, list[list[object]]] = {}
    try:
        for name in wb.sheet_names:
            try:
                sheets[name] = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except Exception as exc:
                raise FileRejected("corrupt_file", f"工作表「{name}」无法读取") from exc
    finally:
        wb.close()
    if not any(any(v not in ("", None) for v in row) for rows in sheets.values() for row in rows):
        raise FileRejected("empty_file")
    return LoadedFile("xlsx", sheets)


def decode_text(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise FileRejected("bad_encoding") from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise FileRejected("bad_encoding") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise FileRejected("bad_encoding") from exc


def _load_csv(data: bytes) -> LoadedFile:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRejected("corrupt_file", "不是文本文件")
    txt, enc = decode_text(data)
    if not txt.strip():
        raise FileRejected("empty_file")
    sample = txt[:8192]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    rows = [list(r) for r in csv.reader(io.StringIO(txt, newline=""), delimiter=delimiter)]
    return LoadedFile("csv", {CSV_SHEET: rows}, enc)
