"""Enterprise register workbook rules (sources.md B)."""

from __future__ import annotations

from datetime import date

from corpus.ingest_builders import (
    enterprise,
    make_id,
    make_uscc,
    new_home,
    query,
    register_workbook,
)

from ingest.pipeline import ingest_inbox


def test_register_rules(tmp_path):
    home = new_home(tmp_path)
    ents = [
        enterprise(1),  # 4 ok, village by name
        enterprise(2, 所属村居="310115104001", 经营状态="在业"),  # 5 ok, code; 在业 → 存续
        enterprise(3, 经营状态="注销", 注销日期="2023-12-31"),  # 6 ok
        enterprise(4, 经营状态="吊销"),  # 7 missing_end_date
        enterprise(1, 企业名称="重复"),  # 8 dup_in_file
        enterprise(5, 统一社会信用代码="91310115000000005X"),  # 9 bad_uscc (error here)
        enterprise(6, 职工人数=-3),  # 10 bad_value
        enterprise(7, 所属村居="火星村"),  # 11 ok + warning, unattributed
        enterprise(8, 成立日期=""),  # 12 missing_required
    ]
    pid = make_id(date(1985, 5, 5), seq=21)
    sup = [
        {
            "统一社会信用代码": make_uscc(1),
            "创业者身份证号码": pid,
            "扶持日期": "2024-01-02",
            "扶持方式": "担保贷款",
            "扶持金额": "50,000",
            "带动就业人数": 3,
        },  # 2 ok
        {
            "统一社会信用代码": make_uscc(99),
            "创业者身份证号码": pid,
            "扶持日期": "2024-01-02",
            "扶持方式": "创业培训",
        },  # 3 unknown_enterprise
        {
            "统一社会信用代码": make_uscc(4),
            "创业者身份证号码": pid,
            "扶持日期": "2024-01-02",
            "扶持方式": "创业培训",
        },  # 4 unknown_enterprise (rejected row)
        {
            "统一社会信用代码": make_uscc(2),
            "创业者身份证号码": pid,
            "扶持日期": "2024-01-02",
            "扶持方式": "创业培训",
            "扶持金额": -1,
        },  # 5 bad_value
        {
            "统一社会信用代码": make_uscc(2),
            "创业者身份证号码": pid,
            "扶持日期": "2024-01-02",
            "扶持方式": "发红包",
        },  # 6 bad_value
    ]
    vac = [
        {
            "统一社会信用代码": make_uscc(1),
            "岗位名称": "操作工",
            "招聘人数": 5,
            "月薪下限": 5000,
            "月薪上限": 7000,
            "发布日期": "2024-05-01",
            "岗位状态": "招聘中",
        },  # 2 ok
        {
            "统一社会信用代码": make_uscc(1),
            "岗位名称": "操作工",
            "招聘人数": 5,
            "月薪下限": 8000,
            "月薪上限": 7000,
            "发布日期": "2024-05-01",
        },  # 3 bad_value
        {
            "统一社会信用代码": make_uscc(1),
            "岗位名称": "操作工",
            "招聘人数": 0,
            "发布日期": "2024-05-01",
        },  # 4 bad_value
        {
            "统一社会信用代码": make_uscc(77),
            "岗位名称": "x",
            "招聘人数": 1,
            "发布日期": "2024-05-01",
        },  # 5 unknown_ent
    ]
    register_workbook(home.inbox / "一企一册.xlsx", ents, sup, vac, export_date="2024/6/30")
    s = ingest_inbox(home)
    assert s.files_rejected == 0
    assert query(
        home,
        "select kind, period, status, rows_read, rows_accepted, rows_rejected from raw.source_files",
    ) == [("enterprise_register", date(2024, 6, 30), "accepted", 18, 6, 12)]
    e = query(
        home,
        "select row_number, business_status, village_code, end_date, export_date from raw.enterprises "
        "order by 1",
    )
    assert e == [
        (4, "存续", "310115104203", None, date(2024, 6, 30)),
        (5, "存续", "310115104001", None, date(2024, 6, 30)),
        (6, "注销", "310115104203", date(2023, 12, 31), date(2024, 6, 30)),
        (11, "存续", None, None, date(2024, 6, 30)),
    ]
    errs = query(
        home,
        "select sheet, row_number, rule_code, column_name from raw.dq_issues where severity='error' "
        "order by 1, 2",
    )
    assert errs == [
        ("企业名录", 7, "missing_end_date", "注销日期"),
        ("企业名录", 8, "dup_in_file", "统一社会信用代码"),
        ("企业名录", 9, "bad_uscc", "统一社会信用代码"),
        ("企业名录", 10, "bad_value", "职工人数"),
        ("企业名录", 12, "missing_required", "成立日期"),
        ("创业扶持", 3, "unknown_enterprise", "统一社会信用代码"),
        ("创业扶持", 4, "unknown_enterprise", "统一社会信用代码"),
        ("创业扶持", 5, "bad_value", "扶持金额"),
        ("创业扶持", 6, "bad_value", "扶持方式"),
        ("岗位信息", 3, "bad_value", "月薪下限"),
        ("岗位信息", 4, "bad_value", "招聘人数"),
        ("岗位信息", 5, "unknown_enterprise", "统一社会信用代码"),
    ]
    warns = query(
        home, "select sheet, row_number, rule_code from raw.dq_issues where severity='warning'"
    )
    assert warns == [("企业名录", 11, "unknown_village_ref")]
    sup_rows = query(
        home,
        "select uscc, amount, jobs_created, founder_key is not null, founder_id_masked "
        "from raw.startup_support",
    )
    assert sup_rows == [(make_uscc(1), 50000.0, 3, True, pid[:6] + "********" + pid[-4:])]
    assert query(home, "select salary_min, salary_max, job_status from raw.vacancies") == [
        (5000.0, 7000.0, "招聘中")
    ]


def test_register_without_export_date_rejected(tmp_path):
    home = new_home(tmp_path)
    register_workbook(home.inbox / "r.xlsx", [enterprise(1)], export_date="")
    ingest_inbox(home)
    assert query(home, "select status, reason_code from raw.source_files") == [
        ("rejected", "bad_export_date")
    ]
