"""Builders of small source files for the ingest tests (generated at test time)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import openpyxl
from stdnum.cn import ric, uscc

ROSTER_HEADER = [
    "序号",
    "姓名",
    "性别",
    "身份证号码",
    "联系电话",
    "户编号",
    "与户主关系",
    "户籍性质",
    "文化程度",
    "人员类别",
    "就业状态",
    "就业单位",
    "单位统一社会信用代码",
    "就业日期",
    "失业登记日期",
    "就业意愿",
    "备注",
]
REFERRAL_HEADER = [
    "序号",
    "姓名",
    "身份证号码",
    "推荐日期",
    "推荐单位",
    "单位统一社会信用代码",
    "推荐岗位",
    "是否上岗",
    "上岗日期",
    "离岗日期",
    "推荐人",
]
TRAINING_HEADER = [
    "班级编号",
    "培训项目",
    "培训类别",
    "合作企业统一社会信用代码",
    "开班日期",
    "结业日期",
    "学员姓名",
    "身份证号码",
    "出勤率",
    "是否结业",
    "证书名称",
    "证书等级",
    "取证日期",
]
ENTERPRISE_HEADER = [
    "序号",
    "统一社会信用代码",
    "企业名称",
    "组织类型",
    "成立日期",
    "经营状态",
    "注销日期",
    "所属村居",
    "行业",
    "职工人数",
]
SUPPORT_HEADER = [
    "统一社会信用代码",
    "创业者姓名",
    "创业者身份证号码",
    "扶持日期",
    "扶持方式",
    "扶持金额",
    "带动就业人数",
]
VACANCY_HEADER = [
    "统一社会信用代码",
    "岗位名称",
    "招聘人数",
    "月薪下限",
    "月薪上限",
    "发布日期",
    "截止日期",
    "岗位状态",
]


def make_id(birth: date = date(1980, 5, 1), area: str = "310115", seq: int = 123) -> str:
    body = f"{area}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def make_uscc(n: int) -> str:
    body = f"91310115{n:09d}"
    return body + uscc.calc_check_digit(body)


def person(i: int, **over: object) -> dict:
    """A valid roster row (dict keyed by header name)."""
    row = {
        "序号": i,
        "姓名": f"张{i}",
        "性别": "男" if i % 2 else "女",
        "身份证号码": make_id(date(1980, 1, 1 + i % 28), seq=100 + i if i % 2 else 200 + i),
        "联系电话": f"1381234{i:04d}",
        "户编号": f"{i:04d}",
        "与户主关系": "户主",
        "户籍性质": "本市农村",
        "文化程度": "大专",
        "人员类别": "",
        "就业状态": "单位就业",
        "就业单位": "某公司",
        "单位统一社会信用代码": "",
        "就业日期": date(2020, 1, 1),
        "失业登记日期": None,
        "就业意愿": "有",
        "备注": "",
    }
    # sex digit: odd seq → 男
    seq = int(str(row["身份证号码"])[14:17])
    row["性别"] = "男" if seq % 2 else "女"
    row.update(over)
    return row


def roster_workbook(
    path: Path,
    rows: list[dict | list | None],
    *,
    code: object = "310115104203",
    name: str = "陆凌村",
    period: object = "2024-06",
    header: list[str] | None = None,
    extra_top_rows: int = 0,
    referral: list[dict | list | None] | None = None,
    referral_header: list[str] | None = None,
    footer: list[list] | None = None,
) -> Path:
    """人员台账 with title row 1, metadata row 2, optional blank rows, header, rows, footer.

    A row may be a dict (by header name), a list (raw cells) or None (blank row).
    """
    header = header or ROSTER_HEADER
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "人员台账"
    ws.append([f"高桥镇{name}就业状况台账"])
    ws.append(["村居代码", code, "村居名称", name, "报表期", period])
    for _ in range(extra_top_rows):
        ws.append([])
    ws.append(header)
    _append_rows(ws, header, rows)
    for f in footer or []:
        ws.append(f)
    if referral is not None:
        rh = referral_header or REFERRAL_HEADER
        ws2 = wb.create_sheet("推荐上岗记录")
        ws2.append(["推荐上岗记录"])
        ws2.append(rh)
        _append_rows(ws2, rh, referral)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _append_rows(ws, header: list[str], rows: list) -> None:
    from ingest.normalize import column_name

    keys = [column_name(h) for h in header]
    for r in rows:
        if r is None:
            ws.append([])
        elif isinstance(r, dict):
            ws.append([r.get(k) for k in keys])
        else:
            ws.append(list(r))


def register_workbook(
    path: Path,
    enterprises: list[dict | list | None],
    support: list[dict | list | None] | None = None,
    vacancies: list[dict | list | None] | None = None,
    *,
    export_date: object = date(2024, 6, 30),
    enterprise_header: list[str] | None = None,
) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "企业名录"
    ws.append(["高桥镇一企一册"])
    ws.append(["导出日期", export_date])
    eh = enterprise_header or ENTERPRISE_HEADER
    ws.append(eh)
    _append_rows(ws, eh, enterprises)
    for title, hdr, rows in (
        ("创业扶持", SUPPORT_HEADER, support),
        ("岗位信息", VACANCY_HEADER, vacancies),
    ):
        if rows is not None:
            s = wb.create_sheet(title)
            s.append(hdr)
            _append_rows(s, hdr, rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def enterprise(n: int, **over: object) -> dict:
    row = {
        "序号": n,
        "统一社会信用代码": make_uscc(n),
        "企业名称": f"企业{n}",
        "组织类型": "有限责任公司",
        "成立日期": date(2021, 3, 1),
        "经营状态": "存续",
        "注销日期": None,
        "所属村居": "陆凌村",
        "行业": "制造业",
        "职工人数": 10,
    }
    row.update(over)
    return row


def trainee(i: int, **over: object) -> dict:
    row = {
        "班级编号": "BJ2024001",
        "培训项目": "电工",
        "培训类别": "职业技能培训",
        "合作企业统一社会信用代码": "",
        "开班日期": "2024-03-01",
        "结业日期": "2024-04-30",
        "学员姓名": f"李{i}",
        "身份证号码": make_id(date(1990, 2, 1 + i % 28), seq=300 + i),
        "出勤率": "95%",
        "是否结业": "是",
        "证书名称": "",
        "证书等级": "",
        "取证日期": "",
    }
    row.update(over)
    return row


def training_csv(
    path: Path,
    rows: list[dict],
    *,
    encoding: str = "utf-8",
    header: list[str] | None = None,
    preamble: list[list[str]] | None = None,
) -> Path:
    header = header or TRAINING_HEADER
    buf = io.StringIO()
    w = csv.writer(buf)
    for p in preamble or []:
        w.writerow(p)
    w.writerow(header)
    for r in rows:
        w.writerow(["" if r.get(h) is None else r.get(h) for h in header])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def new_home(tmp_path: Path):
    from yiye.config import Home

    return Home(tmp_path / "home").ensure()


def query(home, sql: str, params: list | None = None) -> list[tuple]:
    import duckdb

    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def issues(home, severity: str | None = None) -> list[tuple]:
    """(sheet, row_number, rule_code, column_name, bad_value_masked, message) ordered."""
    where = "" if severity is None else f"where severity = '{severity}'"
    return query(
        home,
        "select sheet, row_number, rule_code, column_name, bad_value_masked, message "
        f"from raw.dq_issues {where} order by sheet, row_number nulls first, rule_code",
    )
