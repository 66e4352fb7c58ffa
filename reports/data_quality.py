"""The clerks' list `data_quality_<year>.xlsx`: rejected rows and warnings per village."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl.styles import Alignment, Font

from reports.hints import fix_hint, rule_name
from reports.style import BODY, FONT_NAME, INT, new_workbook, table_sheet

UNATTRIBUTED = "镇级及未归属文件"
KIND_ZH = {"roster": "村居台账", "register": "一企一册", "training": "培训台账"}
WRAP = Alignment(wrap_text=True, vertical="top")
SEVERITY_ZH = {"error": "拒收", "warning": "警告"}

# Year of a file = year of its period (report month / export date), else of its ingestion
# (training logs, unreadable files), but never after year(as_of): a run for a past as_of
# (a reproduction, a late re-run) lists the files it ingested in the last year it publishes,
# instead of in a year for which no workbook is made.
_FILES_OF_YEAR = """
    select *,
           least(
               coalesce(year(period), year(ingested_at)),
               coalesce((select year(max(as_of)) from marts.kpi_town_year), 9999)
           ) as issue_year
    from marts.source_files
"""


def _villages(con, year: int) -> dict[str, str]:
    names: dict[str, str] = {}
    for table in ("kpi_village_year", "village_data_quality"):
        names.update(
            dict(
                con.execute(
                    f"select distinct village_code, village_name from marts.{table} where year = ?",
                    [year],
                ).fetchall()
            )
        )
    return dict(sorted(names.items()))


def build_data_quality_workbook(
    con, year: int, out_path: Path, *, run_id: str, code_version: str, generated_at: datetime
) -> Path:
    villages = _villages(con, year)
    files = con.execute(
        f"""
        with f as ({_FILES_OF_YEAR})
        select f.village_code, count(*), sum(rows_read), sum(rows_accepted), sum(rows_rejected),
               sum(rows_ignored), count(*) filter (where status = 'rejected'),
               (select count(*) from marts.data_quality_issues i
                join f f2 on f2.source_sha256 = i.source_sha256
                where f2.issue_year = ? and i.severity = 'warning'
                  and coalesce(i.village_code, f2.village_code) is not distinct from f.village_code)
        from f where issue_year = ? group by f.village_code
        """,
        [year, year],
    ).fetchall()
    per_village = {r[0]: r[1:] for r in files}
    issues = con.execute(
        f"""
        with f as ({_FILES_OF_YEAR})
        select coalesce(i.village_code, f.village_code), i.source_file, f.kind, i.sheet,
               i.row_number, i.column_name, i.bad_value_masked, i.severity, i.rule_code, i.message
        from marts.data_quality_issues i join f on f.source_sha256 = i.source_sha256
        where f.issue_year = ?
        union all
        select f.village_code, f.source_file, f.kind, null, null, null, null, 'error',
               'file_rejected', coalesce(f.reason, '文件被拒收')
        from f where f.issue_year = ? and f.status = 'rejected'
          and not exists (select 1 from marts.data_quality_issues i
                          where i.source_sha256 = f.source_sha256 and i.row_number is null
                            and i.severity = 'error')
        order by 1 nulls last, 2, 4 nulls first, 5 nulls first, 6, 9, 10
        """,
        [year, year],
    ).fetchall()

    wb = new_workbook()
    headers = ["村居代码", "村居", "文件数", "其中拒收文件", "读取行数", "接收行数", "拒收行数",
               "忽略行数", "警告条数"]  # fmt: skip
    codes = list(villages) + sorted(
        {c for c in per_village if c not in villages}, key=lambda c: (c is None, c or "")
    )
    rows = []
    for vc in codes:
        n, rr, ra, rj, ri, nrej, nwarn = per_village.get(vc, (0, 0, 0, 0, 0, 0, 0))
        name = villages.get(vc) or (UNATTRIBUTED if vc is None else vc)
        rows.append([vc or "", name, n, nrej, rr or 0, ra or 0, rj or 0, ri or 0, nwarn])
    ws = table_sheet(wb, "汇总", headers, rows, [None, None] + [INT] * 7)
    note = len(rows) + 3
    ws.cell(row=note, column=1, value=f"{year}年度数据质量清单（按文件报表期归属年度）").font = BODY
    ws.cell(row=note + 1, column=1, value=f"生成时间：{generated_at:%Y-%m-%d %H:%M:%S}").font = BODY
    ws.cell(
        row=note + 2, column=1, value=f"运行编号：{run_id}；代码版本：{code_version}"
    ).font = BODY

    by_village: dict[str | None, list[list[object]]] = {}
    for vc, src, kind, sheet, rown, col, bad, sev, code, msg in issues:
        hint = "按消息修改后重新报送整个文件" if code == "file_rejected" else fix_hint(code)
        by_village.setdefault(vc, []).append(
            [
                src,
                KIND_ZH.get(kind, kind),
                sheet or "（整个文件）" if rown is None and not sheet else sheet,
                rown,
                col,
                bad,
                SEVERITY_ZH.get(sev, sev),
                "文件拒收" if code == "file_rejected" else rule_name(code),
                msg,
                hint,
            ]
        )
    dq_headers = ["文件", "类型", "工作表", "行号", "列", "问题值（已脱敏）", "处理", "问题",
                  "说明", "如何修改"]  # fmt: skip
    used: set[str] = {"汇总"}
    for vc in codes:
        name = (villages.get(vc) or (UNATTRIBUTED if vc is None else vc))[:31]
        if name in used:
            name = f"{name[:24]}_{vc}"[:31]
        used.add(name)
        data = by_village.get(vc, [])
        ws = table_sheet(wb, name, dq_headers, data, [None, None, None, INT] + [None] * 6)
        if not data:
            ws.cell(row=2, column=1, value="本年度无拒收行或警告").font = Font(name=FONT_NAME)
        # long file names, messages and hints wrap instead of shrinking the printed page
        for col, width in ((1, 30), (5, 14), (6, 18), (9, 36), (10, 30)):
            letter = ws.cell(row=1, column=col).column_letter
            ws.column_dimensions[letter].width = min(ws.column_dimensions[letter].width, width)
            for r in range(2, len(data) + 2):
                ws.cell(row=r, column=col).alignment = WRAP
    out_path = Path(out_path)
    wb.save(out_path)
    return out_path
