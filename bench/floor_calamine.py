"""Floor: read every workbook/CSV of a folder with python-calamine alone (no validation).

    .venv/bin/python bench/floor_calamine.py DIR

Prints files, rows, seconds, rows/s as one JSON line. This is the bare-read floor the ingest
is compared to (target: ingest within 2x of it).
"""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path

from python_calamine import CalamineWorkbook


def read_all(folder: Path) -> dict:
    files = rows = 0
    t0 = time.perf_counter()
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        suffix = path.suffix.lower()
        try:
            if suffix == ".xlsx":
                wb = CalamineWorkbook.from_path(str(path))
                for name in wb.sheet_names:
                    rows += len(wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
            elif suffix == ".csv":
                raw = path.read_bytes()
                for enc in ("utf-8-sig", "gb18030"):
                    try:
                        text = raw.decode(enc)
                        break
                    except UnicodeDecodeError:
                        continue
                else:
                    continue
                rows += sum(1 for _ in csv.reader(text.splitlines()))
            else:
                continue
        except Exception:  # noqa: BLE001 — corrupt demo files are part of the inbox
            continue
        files += 1
    seconds = time.perf_counter() - t0
    return {
        "files": files,
        "rows": rows,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds) if seconds else None,
    }


if __name__ == "__main__":
    print(json.dumps(read_all(Path(sys.argv[1]))))
