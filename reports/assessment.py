"""The annual assessment workbook `assessment_<year>.xlsx` (workbook.md), from marts only."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook

from reports.hints import translate_reasons
from reports.style import (
    BODY,
    BOLD,
    DEC2,
    FONT_NAME,
    INT,
    MET_FILL,
    NA,
    PCT,
    UNMET_FILL,
    fit_widths,
    na,
    new_workbook,
    setup_sheet,
    table_sheet,
    write_header,
    write_row,
)

SHEETS = [
    "封面", "总体指标", "村居考核", "村居指标", "创业存活",
    "在岗持久", "技能培训", "跟进名单", "数据质量", "数据血缘",
]  # fmt: skip
GUIDE = {
    "总体指标": "全镇各项指标：分子、分母、排除数、实际值、目标、是否达标、较上年；累计目标进度图",
    "村居考核": "各村居六项考核得分、总分、等级、排名（按排名排序）及总分图",
    "村居指标": "村居 × 指标实际值矩阵，未达标标红、达标标绿",
    "创业存活": "扶持创业组织存活队列表与 Kaplan–Meier 生存曲线（含 95% 置信带）",
    "在岗持久": "推荐上岗在岗持久队列表与 Kaplan–Meier 曲线",
    "技能培训": "按培训类别的培训人次、结业率、取证率、六个月就业率",
    "跟进名单": "仍待安置人员及零就业家庭，供就业保障员跟进（身份证号已脱敏）",
    "数据质量": "各村居报送月数、接收/拒收/忽略行数及主要拒收原因",
    "数据血缘": "本年度使用的全部源文件（sha256）、各指标背后的 dbt 模型、运行编号与代码版本",
}
RUN_ID_CELL = ("封面", "B8")
GENERATED_CELL = ("封面", "B7")
# 数据血缘: label (column A) of the dbt manifest hash (column B). dbt writes its invocation
# id and timestamps into manifest.json, so this cell differs between two runs on the same
# inputs — with B7/B8 above, the only cells that may (docs/AUDIT.md, "Reproduction").
MANIFEST_LABEL = "dbt 模型清单哈希 (manifest.json sha256)"
MODELS_HEADER = ["指标代码", "指标", "dbt 模型"]
PLAN_YEARS = (2022, 2023, 2024)


def _rows(con, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def _fmt_for(unit: str | None) -> str:
    return PCT if unit == "rate" else INT


def _met_text(met: bool | None) -> str:
    return NA if met is None else ("达标" if met else "未达标")


def _cover(wb: Workbook, con, year: int, run_id: str, code_version: str, generated_at: datetime):
    info = _rows(
        con,
        "select max(reference_date), bool_or(is_draft), max(as_of) from marts.kpi_town_year "
        "where year = ?",
        [year],
    )[0]
    ref, draft, as_of = info
    ws = wb.create_sheet("封面")
    ws["A1"] = f'"宜业高桥"三年行动计划 {year}年度绩效考核'
    ws["A1"].font = Font(name=FONT_NAME, size=18, bold=True)
    ws["A2"] = "高桥镇社区事务受理服务中心"
    ws["A2"].font = Font(name=FONT_NAME, size=14)
    rows = [
        ("状态", "草稿（年度进行中）" if draft else "正式（年度已结束）"),
        ("考核基准日", ref.isoformat() if ref else "—"),
        ("数据截至", as_of.isoformat() if as_of else "—"),
        ("生成时间", generated_at.strftime("%Y-%m-%d %H:%M:%S")),
        ("运行编号", run_id),
        ("代码版本", code_version),
    ]
    for i, (k, v) in enumerate(rows, start=4):
        ws.cell(row=i, column=1, value=k).font = BOLD
        ws.cell(row=i, column=2, value=v).font = BODY
    if draft:
        ws["B4"].font = Font(name=FONT_NAME, size=12, bold=True, color="C00000")
    ws.cell(row=11, column=1, value="工作表说明").font = BOLD
    for i, (name, text) in enumerate(GUIDE.items(), start=12):
        ws.cell(row=i, column=1, value=name).font = BODY
        ws.cell(row=i, column=2, value=text).font = BODY
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 90
    setup_sheet(ws, header_row=1)
    ws.freeze_panes = None
    ws.print_title_rows = None


def _town(wb: Workbook, con, year: int) -> None:
    rows = _rows(
        con,
        """
        select t.indicator_name, t.unit, t.numerator, t.denominator, t.excluded, t.value,
               t.target, t.comparator, t.target_met, p.value
        from marts.kpi_town_year t
        left join marts.indicator_catalog c using (indicator_code)
        left join marts.kpi_town_year p
          on p.indicator_code = t.indicator_code and p.year = t.year - 1
        where t.year = ?
        order by coalesce(c.sort_order, 999), t.indicator_code
        """,
        [year],
    )
    headers = ["指标", "分子", "分母", "排除", "实际值", "目标", "是否达标", "较上年"]
    ws = wb.create_sheet("总体指标")
    write_header(ws, headers)
    out = []
    for i, (name, unit, num, den, exc, val, tgt, comp, met, prev) in enumerate(rows, start=2):
        fmt = _fmt_for(unit)
        tgt_cell: object = tgt
        if comp == ">prev":
            tgt_cell = "高于上年"
        elif tgt is None:
            tgt_cell = "—"
        change: object = "—"
        if val is not None and prev is not None:
            change = val - prev
        vals = [name, num, den, exc, na(val), tgt_cell, _met_text(met), change]
        write_row(ws, i, vals, [None, INT, INT, INT, fmt, fmt, None, fmt])
        met_cell = ws.cell(row=i, column=7)
        if met is True:
            met_cell.fill = MET_FILL
        elif met is False:
            met_cell.fill = UNMET_FILL
            met_cell.font = Font(name=FONT_NAME, size=10, bold=True)
        for col in (5, 6, 7, 8):
            ws.cell(row=i, column=col).alignment = Alignment(horizontal="right")
        out.append(vals)
    fit_widths(ws, headers, out)
    ws.column_dimensions["A"].width = 28
    setup_sheet(ws)
    _cumulative_chart(ws, con, len(rows) + 3)


def _cumulative_chart(ws, con, start_row: int) -> None:
    data = {
        (y, c): (v, t)
        for y, c, v, t in _rows(
            con,
            "select year, indicator_code, value, target from marts.kpi_town_year "
            "where indicator_code in ('placements_cumulative', 'startups_supported_cumulative')",
        )
    }
    years = sorted({y for y, _ in data} | set(PLAN_YEARS))
    years = [y for y in years if y <= max(PLAN_YEARS) or (y, "placements_cumulative") in data]
    headers = ["年度", "累计上岗", "上岗进度目标", "累计创业", "创业进度目标"]
    r0 = start_row
    ws.cell(row=r0 - 1, column=1, value="三年累计目标进度（实际 vs 进度目标）").font = BOLD
    write_header(ws, headers, row=r0)
    for i, y in enumerate(years, start=r0 + 1):
        p = data.get((y, "placements_cumulative"), (None, None))
        s = data.get((y, "startups_supported_cumulative"), (None, None))
        write_row(ws, i, [f"{y}年", p[0], p[1], s[0], s[1]], [None, INT, INT, INT, INT])
    last = r0 + len(years)
    for title, cols, anchor in (
        ("累计推荐上岗人数 vs 进度目标", (2, 3), "J2"),
        ("累计扶持创业人数 vs 进度目标", (4, 5), "J20"),
    ):
        ch = BarChart()
        ch.type = "col"
        ch.title = title
        ch.y_axis.title = "人数"
        ch.add_data(
            Reference(ws, min_col=cols[0], max_col=cols[1], min_row=r0, max_row=last),
            titles_from_data=True,
        )
        ch.set_categories(Reference(ws, min_col=1, min_row=r0 + 1, max_row=last))
        ch.height, ch.width = 8, 14
        ws.add_chart(ch, anchor)


def _villages(wb: Workbook, con, year: int) -> None:
    items = _rows(
        con,
        "select distinct item, coalesce(item_order, 99) from marts.village_assessment "
        "where year = ? order by 2, 1",
        [year],
    )
    item_names = [i for i, _ in items]
    detail = {
        (vc, it): (val, score, nap, code)
        for vc, it, val, score, nap, code in _rows(
            con,
            "select village_code, item, value, item_score, not_applicable, indicator_code "
            "from marts.village_assessment where year = ?",
            [year],
        )
    }
    summary = _rows(
        con,
        "select village_code, village_name, total_score, grade, rank "
        "from marts.village_assessment_summary where year = ? order by rank, village_code",
        [year],
    )
    headers = ["排名", "村居代码", "村居"]
    for it in item_names:
        headers += [f"{it}实际值", f"{it}得分"]
    headers += ["总分", "等级"]
    ws = wb.create_sheet("村居考核")
    write_header(ws, headers)
    out = []
    for i, (vc, vn, total, grade, rank) in enumerate(summary, start=2):
        vals: list[object] = [rank, vc, vn]
        fmts: list[str | None] = [INT, None, None]
        for it in item_names:
            val, score, nap, code = detail.get((vc, it), (None, None, True, None))
            is_rate = code not in ("placements", "startups_supported")
            vals += [NA if (nap or val is None) else val, score]
            fmts += [PCT if is_rate else INT, DEC2]
        vals += [float(total) if total is not None else None, grade]
        fmts += [DEC2, None]
        write_row(ws, i, vals, fmts)
        out.append(vals)
    fit_widths(ws, headers, out)
    _wrap_header(ws, headers, first=4, width=11)
    setup_sheet(ws)
    if summary:
        n = len(summary) + 1
        ch = BarChart()
        ch.type = "bar"
        ch.title = "村居考核总分"
        total_col = len(headers) - 1
        ch.add_data(Reference(ws, min_col=total_col, min_row=1, max_row=n), titles_from_data=True)
        ch.set_categories(Reference(ws, min_col=3, min_row=2, max_row=n))
        ch.height, ch.width = max(8, len(summary) * 0.6), 16
        ch.legend = None
        ws.add_chart(ch, f"A{n + 3}")


def _wrap_header(ws, headers: list[str], first: int, width: float) -> None:
    """Long Chinese headers wrap in a taller header row instead of widening the page."""
    for j in range(first, len(headers) + 1):
        ws.column_dimensions[get_column_letter(j)].width = width
        ws.cell(row=1, column=j).alignment = Alignment(
            horizontal="center", vertical="center", wrap_text=True
        )
    ws.row_dimensions[1].height = 42


def _village_matrix(wb: Workbook, con, year: int) -> None:
    inds = _rows(
        con,
        """
        select distinct k.indicator_code, k.indicator_name, k.unit, coalesce(c.sort_order, 999)
        from marts.kpi_village_year k left join marts.indicator_catalog c using (indicator_code)
        where k.year = ? order by 4, 1
        """,
        [year],
    )
    vills = _rows(
        con,
        "select distinct village_code, village_name from marts.kpi_village_year "
        "where year = ? order by 1",
        [year],
    )
    cells = {
        (vc, ic): (v, t, met)
        for vc, ic, v, t, met in _rows(
            con,
            "select village_code, indicator_code, value, target, target_met "
            "from marts.kpi_village_year where year = ?",
            [year],
        )
    }
    headers = ["村居代码", "村居"] + [n for _, n, _, _ in inds]
    ws = wb.create_sheet("村居指标")
    write_header(ws, headers)
    out = []
    for i, (vc, vn) in enumerate(vills, start=2):
        vals: list[object] = [vc, vn]
        fmts: list[str | None] = [None, None]
        for ic, _, unit, _ in inds:
            v, _t, _m = cells.get((vc, ic), (None, None, None))
            vals.append(na(v) if unit == "rate" else v)
            fmts.append(_fmt_for(unit))
        write_row(ws, i, vals, fmts)
        # colour against target (met/unmet from the mart: same rule as the town sheet)
        for j, (ic, _, _, _) in enumerate(inds, start=3):
            met = cells.get((vc, ic), (None, None, None))[2]
            if met is True:
                ws.cell(row=i, column=j).fill = MET_FILL
            elif met is False:
                ws.cell(row=i, column=j).fill = UNMET_FILL
        out.append(vals)
    fit_widths(ws, headers, out)
    _wrap_header(ws, headers, first=3, width=11)
    setup_sheet(ws)
    if vills:
        last = len(vills) + 1
        # conditional formatting for rate targets that are fixed thresholds
        for j, (ic, _, unit, _) in enumerate(inds, start=3):
            tgts = {cells.get((vc, ic), (None, None, None))[1] for vc, _ in vills}
            if unit == "rate" and len(tgts) == 1 and None not in tgts:
                (t,) = tgts
                col = get_column_letter(j)
                ws.conditional_formatting.add(
                    f"{col}2:{col}{last}",
                    CellIsRule(
                        operator="lessThan",
                        formula=[repr(float(t))],
                        font=Font(name=FONT_NAME, bold=True, color="9C0006"),
                    ),
                )
    ws.cell(
        row=len(vills) + 3, column=1, value="绿色：达标；红色：未达标；无底色：无目标或不适用"
    ).font = BODY


def _km_sheet(
    wb: Workbook,
    con,
    title: str,
    cohort_sql: str,
    cohort_headers: list[str],
    curve: str,
    year: int,
) -> None:
    rows = _rows(con, cohort_sql, [year])
    ws = wb.create_sheet(title)
    write_header(ws, cohort_headers)
    out = []
    for i, r in enumerate(rows, start=2):
        *head, rate, complete = r
        vals = [
            *head,
            (rate if rate is not None else (NA if complete else "未完成")),
            "是" if complete else "否",
        ]
        write_row(ws, i, vals, [None, INT, INT, INT, INT, PCT, None])
        out.append(vals)
    fit_widths(ws, cohort_headers, out)
    setup_sheet(ws)
    crv = _rows(
        con,
        f"select month, at_risk, events, censored, survival, ci_lower, ci_upper "
        f"from marts.{curve} order by month",
    )
    r0 = len(rows) + 4
    ch_headers = ["月数", "在险数", "事件数", "删失数", "生存率", "95%下限", "95%上限"]
    ws.cell(
        row=r0 - 1, column=1, value="Kaplan–Meier 生存曲线（Greenwood 95% 置信区间）"
    ).font = BOLD
    write_header(ws, ch_headers, row=r0)
    for i, r in enumerate(crv, start=r0 + 1):
        write_row(ws, i, list(r), [INT, INT, INT, INT, PCT, PCT, PCT])
    if crv:
        last = r0 + len(crv)
        lc = LineChart()
        lc.title = f"{title} Kaplan–Meier 曲线"
        lc.y_axis.title = "生存率"
        lc.x_axis.title = "月数"
        lc.y_axis.number_format = "0%"
        lc.y_axis.scaling.min = 0
        lc.y_axis.scaling.max = 1
        lc.add_data(
            Reference(ws, min_col=5, max_col=7, min_row=r0, max_row=last), titles_from_data=True
        )
        lc.set_categories(Reference(ws, min_col=1, min_row=r0 + 1, max_row=last))
        for s in lc.series[1:]:
            s.graphicalProperties.line.dashStyle = "dash"
        lc.height, lc.width = 9, 18
        ws.add_chart(lc, "I2")


def _training(wb: Workbook, con, year: int) -> None:
    rows = _rows(
        con,
        """
        select training_category, enrollments, completion_denominator, completed,
               completion_rate, certified, certification_rate, employment_cohort,
               employment_excluded, employed_6m, employment_rate_6m
        from marts.training_by_category where year = ? order by training_category
        """,
        [year],
    )
    headers = ["培训类别", "培训人次", "本年结业应计", "结业数", "结业率", "取证数", "取证率",
               "六个月就业队列", "排除", "六个月内就业", "六个月就业率"]  # fmt: skip
    fmts = [None, INT, INT, INT, PCT, INT, PCT, INT, INT, INT, PCT]
    out = [[r[0], *r[1:4], na(r[4]), r[5], na(r[6]), *r[7:10], na(r[10])] for r in rows]
    table_sheet(wb, "技能培训", headers, out, fmts)


def _follow_up(wb: Workbook, con, year: int) -> None:
    rows = _rows(
        con,
        """
        select village_name, id_masked, person_name, category, household_no, first_seen_date,
               days_since_first_seen
        from marts.follow_up_list where year = ?
        order by village_code, category, days_since_first_seen desc, id_masked, person_name
        """,
        [year],
    )
    headers = [
        "村居",
        "身份证号（脱敏）",
        "姓名",
        "类别",
        "户编号",
        "首次出现日期",
        "距首次出现天数",
    ]
    out = [[r[0], r[1], r[2], r[3], r[4], r[5].isoformat() if r[5] else None, r[6]] for r in rows]
    table_sheet(wb, "跟进名单", headers, out, [None] * 6 + [INT])


def _quality(wb: Workbook, con, year: int) -> None:
    rows = _rows(
        con,
        """
        select village_code, village_name, months_submitted, months_expected, rows_accepted,
               rows_rejected, rows_ignored, data_quality, top_reasons
        from marts.village_data_quality where year = ? order by village_code
        """,
        [year],
    )
    headers = ["村居代码", "村居", "已报送月数", "应报送月数", "接收行数", "拒收行数", "忽略行数",
               "数据报送质量", "主要拒收原因"]  # fmt: skip
    out = [[*r[:7], na(r[7]), translate_reasons(r[8])] for r in rows]
    table_sheet(wb, "数据质量", headers, out, [None, None, INT, INT, INT, INT, INT, PCT, None])


def _lineage(
    wb: Workbook, con, year: int, run_id: str, code_version: str, lineage: dict | None
) -> None:
    files = _rows(
        con,
        """
        select source_file, kind, village_code, period, source_sha256, rows_read, rows_accepted,
               status
        from marts.source_files
        where status = 'accepted' and (period is null or year(period) <= ?)
        order by kind, village_code nulls last, period nulls last, source_file
        """,
        [year],
    )
    names = dict(
        _rows(con, "select distinct village_code, village_name from marts.kpi_village_year")
    )
    kind_zh = {"roster": "村居台账", "register": "一企一册", "training": "培训台账"}
    headers = ["文件名", "类型", "村居", "报表期", "sha256", "读取行数", "接收行数"]
    ws = wb.create_sheet("数据血缘")
    write_header(ws, headers)
    out = []
    for i, (f, k, vc, per, sha, rr, ra, _st) in enumerate(files, start=2):
        vals = [
            f,
            kind_zh.get(k, k),
            names.get(vc, vc or ""),
            per.strftime("%Y-%m") if per else "",
            sha,
            rr,
            ra,
        ]
        write_row(ws, i, vals, [None] * 5 + [INT, INT])
        out.append(vals)
    fit_widths(ws, headers, out, cap=70)
    setup_sheet(ws)
    r = len(files) + 3
    lin = lineage or {}
    models_by = lin.get("models_by_indicator") or {}
    ws.cell(row=r, column=1, value="运行编号").font = BOLD
    # a reference to the cover cell, so the run id is stored in one cell only (determinism)
    ws.cell(row=r, column=2, value=f"='{RUN_ID_CELL[0]}'!{RUN_ID_CELL[1]}").font = BODY
    ws.cell(row=r + 1, column=1, value="代码版本").font = BOLD
    ws.cell(row=r + 1, column=2, value=code_version).font = BODY
    ws.cell(row=r + 2, column=1, value=MANIFEST_LABEL).font = BOLD
    ws.cell(row=r + 2, column=2, value=lin.get("dbt_manifest_sha256") or "—").font = BODY
    r += 4
    write_header(ws, MODELS_HEADER, row=r)
    cat = _rows(
        con,
        "select indicator_code, indicator_name, models from marts.indicator_catalog "
        "order by sort_order, indicator_code",
    )
    for i, (ic, name, models) in enumerate(cat, start=r + 1):
        m = models_by.get(ic)
        text = "、".join(m) if m else (models or "").replace("|", "、")
        write_row(ws, i, [ic, name, text])


def build_assessment_workbook(
    con,
    year: int,
    out_path: Path,
    *,
    run_id: str,
    code_version: str,
    generated_at: datetime,
    lineage: dict | None = None,
) -> Path:
    wb = new_workbook()
    _cover(wb, con, year, run_id, code_version, generated_at)
    _town(wb, con, year)
    _villages(wb, con, year)
    _village_matrix(wb, con, year)
    _km_sheet(
        wb, con, "创业存活",
        "select cast(cohort_year as varchar) || '年', horizon_years, at_risk, survived, excluded, "
        "rate, complete from marts.startup_survival_cohorts where cohort_year <= ? "
        "order by cohort_year, horizon_years",
        ["扶持年度", "观察年限（年）", "在险数", "存活数", "排除", "存活率", "已完成"],
        "survival_curve_startups", year,
    )  # fmt: skip
    _km_sheet(
        wb, con, "在岗持久",
        "select cohort_half_year, horizon_months, at_risk, retained, excluded, rate, complete "
        "from marts.job_retention_cohorts where cast(left(cohort_half_year, 4) as integer) <= ? "
        "order by cohort_half_year, horizon_months",
        ["上岗半年度", "期限（月）", "在险数", "在岗数", "排除", "持久率", "已完成"],
        "survival_curve_placements", year,
    )  # fmt: skip
    _training(wb, con, year)
    _follow_up(wb, con, year)
    _quality(wb, con, year)
    _lineage(wb, con, year, run_id, code_version, lineage)
    out_path = Path(out_path)
    wb.save(out_path)
    return out_path
