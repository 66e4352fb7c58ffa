"""Village roster workbook rules (sources.md A), each built with openpyxl in tmp_path."""

from __future__ import annotations

import json
from datetime import date, datetime

import openpyxl
from corpus.ingest_builders import (
    ROSTER_HEADER,
    issues,
    make_id,
    make_uscc,
    new_home,
    person,
    query,
    roster_workbook,
)

from ingest.pipeline import ingest_inbox


def test_header_detection_titles_fullwidth_names_footers_and_accounting(tmp_path):
    home = new_home(tmp_path)
    header = [
        "序 号",
        "＊姓名",
        "性别",
        "身份证号码*",
        "联系\n电话",
        "户编号（必填）",
        "与户主关系",
        "户籍性质",
        "文化程度",
        "人员类别",
        "就业状态\r\n(必填)",
        "就业单位",
        "单位统一社会信用代码",
        "就业日期",
        "失业登记日期",
        "就业意愿",
        "备注",
    ]
    rows = [person(1), None, person(2), person(3, 户编号="0007"), None, None]
    footer = [
        [99, "合计", "", "3人"],
        [],
        ["填表人：王某", "", "审核人：李某"],
        ["说明：本表每月5日前报送"],
        ["1. 身份证号码必须18位"],
        ["注：红色为必填"],
    ]
    roster_workbook(
        home.inbox / "sub" / "陆凌村6月台账(改).xlsx",
        rows,
        header=header,
        extra_top_rows=2,
        footer=footer,
    )
    s = ingest_inbox(home)
    assert (s.files_new, s.files_rejected, s.files_failed) == (1, 0, 0)
    # header is on row 5 (title, metadata, 2 blank rows); body rows 6..(6+6+6-1)
    acc = query(
        home,
        "select header_row, rows_read, rows_accepted, rows_rejected, rows_ignored "
        "from raw.sheet_accounting",
    )
    assert acc == [(5, 12, 3, 0, 9)]
    assert (s.rows_read, s.rows_accepted, s.rows_rejected, s.rows_ignored) == (12, 3, 0, 9)
    got = query(
        home,
        "select row_number, household_no, village_code, report_month, source_file, sheet "
        "from raw.roster_rows order by row_number",
    )
    assert got == [
        (6, "0001", "310115104203", date(2024, 6, 1), "sub/陆凌村6月台账(改).xlsx", "人员台账"),
        (8, "0002", "310115104203", date(2024, 6, 1), "sub/陆凌村6月台账(改).xlsx", "人员台账"),
        (9, "0007", "310115104203", date(2024, 6, 1), "sub/陆凌村6月台账(改).xlsx", "人员台账"),
    ]
    sf = query(
        home,
        "select kind, village_code, period, status, rows_read, rows_accepted, rows_ignored, "
        "has_referral_sheet, file_name from raw.source_files",
    )
    assert sf == [
        (
            "roster",
            "310115104203",
            date(2024, 6, 1),
            "accepted",
            12,
            3,
            9,
            False,
            "陆凌村6月台账(改).xlsx",
        )
    ]
    assert issues(home) == []


def test_every_date_form_in_a_date_column(tmp_path):
    home = new_home(tmp_path)
    d = date(2023, 5, 1)
    forms = [
        d,
        datetime(2023, 5, 1, 0, 0),
        45047,
        "2023-05-01",
        "2023/5/1",
        "2023.5.1",
        "2023年5月1日",
        "20230501",
    ]
    rows = [person(i + 1, 就业日期=f) for i, f in enumerate(forms)]
    rows.append(person(20, 就业日期="2023-5-32"))
    rows.append(person(21, 就业日期="五月一日"))
    roster_workbook(home.inbox / "r.xlsx", rows, period="2024年6月")
    ingest_inbox(home)
    got = query(home, "select distinct employment_date from raw.roster_rows")
    assert got == [(d,)]
    assert query(home, "select count(*) from raw.roster_rows") == [(8,)]
    errs = issues(home, "error")
    assert [(e[1], e[2], e[3]) for e in errs] == [
        (12, "bad_date", "就业日期"),
        (13, "bad_date", "就业日期"),
    ]
    assert errs[1][5] == "第13行「就业日期」日期无法识别：五月一日"


def test_id_rules_trap_15_digit_lowercase_and_masked_messages(tmp_path):
    home = new_home(tmp_path)
    trap_a = make_id(date(1980, 3, 4), "310115", 123)
    trap_b = make_id(date(1975, 7, 8), "310225", 457)
    with_x = next(
        make_id(date(1985, 1, 1), seq=s)
        for s in range(1000)
        if make_id(date(1985, 1, 1), seq=s).endswith("X")
    )
    bad_check = trap_a[:17] + ("0" if trap_a[17] != "0" else "1")
    rows = [
        person(1, 身份证号码=trap_a),
        person(2, 身份证号码=trap_b),
        person(3, 身份证号码=with_x.lower()),
        person(4, 身份证号码="310115800101123"),  # 15-digit legacy
        person(5, 身份证号码=bad_check),
        person(6, 身份证号码=""),
    ]
    roster_workbook(home.inbox / "r.xlsx", rows)
    ingest_inbox(home)
    ids = [r[0] for r in query(home, "select id_number from raw.roster_rows order by row_number")]
    assert ids == [
        trap_a,
        trap_b,
        with_x,
        "310115198001011238",
    ]  # check digit worked by hand (weights 7,9,10,...)
    assert ids[3] == make_id(date(1980, 1, 1), seq=123)
    errs = issues(home, "error")
    assert [(e[1], e[2], e[3]) for e in errs] == [
        (8, "bad_id", "身份证号码"),
        (9, "bad_id", "身份证号码"),
    ]
    masked = bad_check[:6] + "********" + bad_check[-4:]
    assert errs[0][4] == masked
    assert errs[0][5] == f"第8行「身份证号码」校验位错误：{masked}"
    assert errs[1][5] == "第9行「身份证号码」为空"
    # the raw ID never appears in dq_issues
    assert query(
        home, "select count(*) from raw.dq_issues where message like ?", [f"%{bad_check}%"]
    ) == [(0,)]
    keys = query(home, "select person_key, id_masked from raw.roster_rows order by row_number")
    assert all(len(k) == 32 for k, _ in keys)
    assert keys[0][1] == trap_a[:6] + "********" + trap_a[-4:]


def test_row_rejections_and_warnings(tmp_path):
    home = new_home(tmp_path)
    p1 = person(1)
    rows = [
        p1,  # 4 ok
        person(2, 姓名=""),  # 5 missing_name
        person(3, 户编号="/"),  # 6 missing_household
        person(4, 就业状态="打零工"),  # 7 bad_status
        person(5, 就业日期=date(2024, 7, 1)),  # 8 future_date (report month 2024-06)
        person(6, 就业日期=date(2024, 6, 30)),  # 9 ok, last day of report month
        person(7, 性别="女" if person(7)["性别"] == "男" else "男"),  # 10 sex_mismatch warning
        person(8, 联系电话="12345"),  # 11 bad_phone warning
        person(9, 单位统一社会信用代码="91310115000000001A"),  # 12 bad_uscc warning
        person(10, 人员类别="就业困难人员，外星人;残疾人"),  # 13 unknown_tag warning
        person(11, 就业意愿="", 就业状态="待业"),  # 14 wish empty → 有
        person(
            12, 就业意愿="无", 就业状态="无业", 单位统一社会信用代码=make_uscc(5)
        ),  # 15 wish 无 kept
        dict(p1, 序号=13, 姓名="重复"),  # 16 dup_in_file
        person(14, 就业单位="—", 备注="无"),  # 17 placeholders → NULL
    ]
    roster_workbook(home.inbox / "r.xlsx", rows)
    s = ingest_inbox(home)
    assert (s.rows_read, s.rows_accepted, s.rows_rejected, s.rows_ignored) == (14, 9, 5, 0)
    errs = [(e[1], e[2], e[3]) for e in issues(home, "error")]
    assert errs == [
        (5, "missing_name", "姓名"),
        (6, "missing_household", "户编号"),
        (7, "bad_status", "就业状态"),
        (8, "future_date", "就业日期"),
        (16, "dup_in_file", "身份证号码"),
    ]
    warns = [(e[1], e[2], e[3], e[4]) for e in issues(home, "warning")]
    assert warns == [
        (10, "sex_mismatch", "性别", person(7)["性别"] == "男" and "女" or "男"),
        (11, "bad_phone", "联系电话", "12345"),
        (12, "bad_uscc", "单位统一社会信用代码", "913101********001A"),
        (13, "unknown_tag", "人员类别", "外星人"),
    ]
    got = {
        r[0]: r[1:]
        for r in query(
            home,
            "select row_number, sex, phone, employer_uscc, tags, wish_to_work, "
            "employment_status, employer_name, remark from raw.roster_rows",
        )
    }
    assert got[10][0] == person(7)["性别"]  # the ID wins
    assert got[11][1] is None
    assert got[12][2] is None
    assert got[13][3] == "|就业困难人员|残疾人|"
    assert got[14][4:6] == ("有", "未就业")
    assert got[15][2:6] == (make_uscc(5), "", "无", "未就业")
    assert got[17][6:] == (None, None)
    assert got[4][1] == p1["联系电话"]
    sf = query(
        home, "select rows_read, rows_accepted, rows_rejected, rows_ignored from raw.source_files"
    )
    assert sf == [(14, 9, 5, 0)]


def test_unknown_extra_column_kept_as_json_with_warning(tmp_path):
    home = new_home(tmp_path)
    header = [*ROSTER_HEADER, "微信号", ""]
    rows = [[*person(1).values(), "wx_abc", ""], [*person(2).values(), "", ""]]
    roster_workbook(home.inbox / "r.xlsx", rows, header=header)
    ingest_inbox(home)
    extras = query(home, "select row_number, extra_columns from raw.roster_rows order by 1")
    assert json.loads(extras[0][1]) == {"微信号": "wx_abc"}
    assert extras[1][1] is None
    w = issues(home, "warning")
    assert [(x[0], x[1], x[2], x[3]) for x in w] == [("人员台账", None, "unknown_column", "微信号")]


def test_whole_workbook_rejections(tmp_path):
    home = new_home(tmp_path)
    roster_workbook(home.inbox / "a.xlsx", [person(1)], code="310115104999")
    roster_workbook(home.inbox / "b.xlsx", [person(1)], period="六月")
    roster_workbook(
        home.inbox / "c.xlsx", [person(1)], header=[h for h in ROSTER_HEADER if h != "户编号"]
    )
    roster_workbook(
        home.inbox / "d.xlsx", [person(1)], code=310115104203.0, period=datetime(2024, 6, 15)
    )
    e = roster_workbook(home.inbox / "e.xlsx", [person(1)])
    wb = openpyxl.load_workbook(e)
    ws = wb["人员台账"]
    for cell in ("A2", "B2", "C2", "D2", "E2", "F2"):
        ws[cell] = None
    ws["A2"], ws["C2"] = "村居代码：310115104001", "报表期： 2024年7月"
    wb.save(e)
    s = ingest_inbox(home)
    assert (s.files_new, s.files_rejected) == (5, 3)
    got = query(
        home,
        "select file_name, status, reason_code, reason, village_code, period, rows_read "
        "from raw.source_files order by file_name",
    )
    assert got[0][:3] == ("a.xlsx", "rejected", "unknown_village")
    assert "310115104999" in got[0][3]
    assert got[1][:3] == ("b.xlsx", "rejected", "bad_period")
    assert got[2][:3] == ("c.xlsx", "rejected", "missing_column")
    assert "户编号" in got[2][3]
    assert got[3][1:3] == ("accepted", None)
    assert got[3][4:] == ("310115104203", date(2024, 6, 1), 1)
    assert got[4][1:3] == ("accepted", None)
    assert got[4][4:] == ("310115104001", date(2024, 7, 1), 1)
    file_issues = query(
        home,
        "select source_file, sheet, row_number, rule_code, severity from raw.dq_issues "
        "order by source_file",
    )
    assert file_issues == [
        ("a.xlsx", None, None, "unknown_village", "error"),
        ("b.xlsx", None, None, "bad_period", "error"),
        ("c.xlsx", None, None, "missing_column", "error"),
    ]
    assert query(home, "select count(*) from raw.roster_rows") == [(2,)]


def test_referral_sheet_rules(tmp_path):
    home = new_home(tmp_path)
    pid = make_id(date(1990, 1, 1), seq=11)
    base = {"身份证号码": pid, "推荐日期": "2024-03-01", "推荐单位": "甲公司"}
    ref = [
        dict(base, 是否上岗="是", 上岗日期="2024-03-10"),  # 3 ok placed
        dict(base, 是否上岗="否"),  # 4 ok not placed
        dict(base, 是否上岗="Y", 上岗日期=None),  # 5 placed_without_date
        dict(base, 是否上岗="√", 上岗日期="2024-02-01"),  # 6 start_before_referral
        dict(base, 是否上岗=1, 上岗日期="2024-03-10", 离岗日期="2024-03-05"),  # 7 end_before_start
        dict(base, 是否上岗="×"),  # 8 ok
        dict(base, 是否上岗="也许"),  # 9 bad_value
        dict(base, 推荐日期="2024-02-31", 是否上岗="N"),  # 10 bad_date
        dict(base, 身份证号码="123", 是否上岗="N"),  # 11 bad_id
        dict(base, 推荐单位="", 是否上岗="N"),  # 12 missing_required
    ]
    roster_workbook(home.inbox / "r.xlsx", [person(1)], referral=ref)
    ingest_inbox(home)
    got = query(
        home,
        "select row_number, placed, start_date, end_date, village_code, report_month "
        "from raw.referral_rows order by 1",
    )
    assert got == [
        (3, True, date(2024, 3, 10), None, "310115104203", date(2024, 6, 1)),
        (4, False, None, None, "310115104203", date(2024, 6, 1)),
        (8, False, None, None, "310115104203", date(2024, 6, 1)),
    ]
    errs = [(e[1], e[2], e[3]) for e in issues(home, "error") if e[0] == "推荐上岗记录"]
    assert errs == [
        (5, "placed_without_date", "上岗日期"),
        (6, "start_before_referral", "上岗日期"),
        (7, "end_before_start", "离岗日期"),
        (9, "bad_value", "是否上岗"),
        (10, "bad_date", "推荐日期"),
        (11, "bad_id", "身份证号码"),
        (12, "missing_required", "推荐单位"),
    ]
    assert query(
        home,
        "select has_referral_sheet, rows_read, rows_accepted, rows_rejected from raw.source_files",
    ) == [(True, 11, 4, 7)]


def test_referral_sheet_missing_column_rejects_only_that_sheet(tmp_path):
    home = new_home(tmp_path)
    rh = ["序号", "姓名", "身份证号码", "推荐日期", "推荐单位", "上岗日期"]  # no 是否上岗
    roster_workbook(
        home.inbox / "r.xlsx",
        [person(1)],
        referral=[[1, "x", make_id(), "2024-01-01", "甲", ""]],
        referral_header=rh,
    )
    ingest_inbox(home)
    assert query(
        home,
        "select status, has_referral_sheet, rows_accepted, rows_rejected from raw.source_files",
    ) == [("accepted", False, 1, 1)]
    assert query(home, "select sheet, row_number, rule_code from raw.dq_issues") == [
        ("推荐上岗记录", None, "missing_column")
    ]
    assert query(home, "select count(*) from raw.referral_rows") == [(0,)]


def test_values_under_empty_header_cells_are_kept(tmp_path):
    home = new_home(tmp_path)
    header = [*ROSTER_HEADER, "", "核对"]
    row = [*person(1).values(), "在网格3", "ok", "多出的值"]
    roster_workbook(home.inbox / "r.xlsx", [row], header=header)
    ingest_inbox(home)
    extras = json.loads(query(home, "select extra_columns from raw.roster_rows")[0][0])
    assert extras == {"列R": "在网格3", "核对": "ok", "列T": "多出的值"}
    cols = query(
        home, "select column_name from raw.dq_issues where rule_code = 'unknown_column' order by 1"
    )
    assert sorted(c[0] for c in cols) == ["列R", "列T", "核对"]


def test_footer_in_serial_column_and_numbered_footer(tmp_path):
    home = new_home(tmp_path)
    roster_workbook(
        home.inbox / "a.xlsx", [person(1)], footer=[["填表人：王某", "", "", "", "电话 58681234"]]
    )
    roster_workbook(home.inbox / "b.xlsx", [person(2)], footer=[[2, "合计", "", "1人"]])
    s = ingest_inbox(home)
    assert (s.rows_read, s.rows_accepted, s.rows_rejected, s.rows_ignored) == (4, 2, 0, 2)
    assert query(home, "select count(*) from raw.dq_issues") == [(0,)]
