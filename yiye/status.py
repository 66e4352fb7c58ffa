"""`yiye status`: the last runs and what the published warehouse says (read-only)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from yiye.config import Home, connect_warehouse
from yiye.runlog import read_runs

STATUS_LABELS = {
    "success": "成功",
    "up_to_date": "已是最新（没有新文件，未重建）",
    "failed": "失败",
    "locked": "未运行（另一任务占用）",
}
OK_STATUSES = ("success", "up_to_date")
FILE_STATUS_LABELS = {"accepted": "已接收", "superseded": "已被新版本替代", "rejected": "已拒收"}


def _fmt_run(run: dict[str, Any] | None) -> str:
    if not run:
        return "无 (none)"
    label = STATUS_LABELS.get(run.get("status", ""), run.get("status", "?"))
    rid = (run.get("run_id") or "-")[:8]
    text = f"{run.get('ended_at') or run.get('started_at')}  {label}  (run {rid}, 基准日 {run.get('as_of')})"
    if run.get("status") == "success":
        text += f"，新文件 {run.get('files_ingested') or 0}，拒收 {run.get('files_rejected') or 0}"
    elif run.get("status") == "up_to_date":
        text += f"，收件箱 {run.get('files_seen') or 0} 个文件均已采集"
    return text


def _fmt_value(value: Any, unit: str | None) -> str:
    if value is None:
        return "—"
    if (unit or "").lower() in ("rate", "%", "percent"):
        return f"{float(value) * 100:.1f}%"
    value = float(value)
    return f"{int(value)}" if value.is_integer() else f"{value:.2f}"


def _met(v: Any) -> str:
    return {True: "达标", False: "未达标"}.get(v, "—")


def _query(home: Home, sql: str, params: Iterable[Any] = ()) -> list[tuple] | None:
    import duckdb

    if not home.warehouse.exists():
        return None
    con = connect_warehouse(home.warehouse, read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()


def render_status(home: Home) -> str:
    runs = read_runs(home)
    last = runs[-1] if runs else None
    # "last success" is the last run that rebuilt; an up-to-date run rebuilt nothing
    last_ok = next((r for r in reversed(runs) if r.get("status") == "success"), None)
    last_bad = next((r for r in reversed(runs) if r.get("status") not in OK_STATUSES), None)
    lines = [f"宜业高桥 数据仓库状态 (status) — {home.root}", ""]
    lines.append(f"最近一次运行 (last run):     {_fmt_run(last)}")
    lines.append(f"最近一次成功 (last success): {_fmt_run(last_ok)}")
    lines.append(f"最近一次失败 (last failure): {_fmt_run(last_bad)}")
    if last_bad and last_bad.get("error"):
        lines.append(f"  失败原因 (why): {last_bad['error']}")
    lines.append("")

    if not home.warehouse.exists():
        lines.append("数据仓库尚未建立 (no warehouse yet) — 请先运行 `yiye run`。")
        return "\n".join(lines)
    files_table = "marts.source_files"
    files = _query(home, f"select status, count(*) from {files_table} group by status")
    if files is None:  # older warehouse without the public mart: the file-status model
        files_table = "intermediate.int_source_files__status"
        files = _query(home, f"select status, count(*) from {files_table} group by status")
    if files is None:
        lines.append("数据仓库中没有文件清单 (no file list in the warehouse)")
        return "\n".join(lines)
    counts = dict(files)
    total = sum(counts.values())
    parts = [f"{FILE_STATUS_LABELS[k]} {counts.get(k, 0)}" for k in FILE_STATUS_LABELS]
    lines.append(f"文件 (files): 共 {total} 个 — " + "，".join(parts))
    rejected = _query(
        home,
        f"select source_file, reason from {files_table} where status = 'rejected' "
        "order by source_file limit 10",
    )
    for name, reason in rejected or []:
        lines.append(f"  拒收: {name} — {reason or ''}")
    lines.append("")

    year_row = _query(home, "select max(year) from marts.kpi_town_year")
    year = year_row[0][0] if year_row else None
    if year is None:
        lines.append("暂无指标 (no KPIs in marts.kpi_town_year yet)")
        return "\n".join(lines)
    kpis = _query(
        home,
        "select indicator_name, unit, value, target, comparator, target_met, is_draft, as_of "
        "from marts.kpi_town_year where year = ? order by indicator_code",
        [year],
    )
    draft = any(r[6] for r in kpis or [])
    stage = f"草稿，截至 {kpis[0][7]}" if draft and kpis else "终稿"
    lines.append(f"{year} 年度全镇指标（{stage}）(KPIs of the current year vs targets):")
    width = max((len(r[0] or "") for r in kpis or []), default=10)
    for name, unit, value, target, comparator, met, _d, _a in kpis or []:
        if comparator == ">prev":
            tgt = "高于上年" + ("" if target is None else f" {_fmt_value(target, unit)}")
        else:
            tgt = "—" if target is None else f"{comparator or ''} {_fmt_value(target, unit)}"
        lines.append(
            f"  {(name or '').ljust(width, '　')}  {_fmt_value(value, unit):>10}  "
            f"目标 {tgt:<12}  {_met(met)}"
        )
    return "\n".join(lines)
