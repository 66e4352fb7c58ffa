"""Whole-file handling: the bad-file corpus (generated at test time), CSV encodings, kinds."""

from __future__ import annotations

import zipfile
from datetime import date

import openpyxl
import pytest
from corpus.ingest_builders import (
    TRAINING_HEADER,
    make_id,
    new_home,
    person,
    query,
    roster_workbook,
    trainee,
    training_csv,
)

from ingest.files import OLE_MAGIC, classify_ole
from ingest.pipeline import ingest_inbox


def _ole(stream_names: list[str]) -> bytes:
    """A minimal CFB-looking file: magic, header padding, directory entry names in UTF-16LE."""
    data = bytearray(OLE_MAGIC + b"\x00" * 504)
    for name in ["Root Entry", *stream_names]:
        entry = name.encode("utf-16-le") + b"\x00\x00"
        data += entry + b"\x00" * (128 - len(entry))
    return bytes(data)


def _plain_xlsx(path, rows, title="Sheet1"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _corpus(inbox):
    """name → (bytes or builder) of each bad file, with the expected rule code."""
    inbox.mkdir(parents=True, exist_ok=True)
    good = roster_workbook(inbox / "_good.xlsx", [person(1)]).read_bytes()
    (inbox / "_good.xlsx").unlink()
    files = {
        "empty.xlsx": (b"", "empty_file"),
        "blank.csv": (b"  \r\n\r\n", "empty_file"),
        "truncated.xlsx": (good[: len(good) // 2], "corrupt_file"),
        "not_a_workbook.xlsx": (b"PK\x03\x04" + b"garbage" * 50, "corrupt_file"),
        "old.xls": (_ole(["Workbook", "\x05SummaryInformation"]), "legacy_xls"),
        "old95.xls": (_ole(["Book"]), "legacy_xls"),
        "locked.xlsx": (
            _ole(["EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"]),
            "encrypted_file",
        ),
        "binary.csv": (b"\x00\x01\x02\x03" * 100, "corrupt_file"),
        "mojibake.csv": (
            "班级编号,培训项目\n".encode() + b"\x81\x30\xff\xfe\x80\x80\n",
            "bad_encoding",
        ),
        "notes.csv": ("姓名,电话\n张三,123\n".encode(), "unknown_kind"),
    }
    for name, (data, _) in files.items():
        (inbox / name).write_bytes(data)
    _plain_xlsx(inbox / "other.xlsx", [["项目", "金额"], ["a", 1]])
    files["other.xlsx"] = (b"", "unknown_kind")
    empty_wb = openpyxl.Workbook()
    empty_wb.save(inbox / "empty_workbook.xlsx")
    files["empty_workbook.xlsx"] = (b"", "empty_file")
    # a zip that is not an Excel workbook
    with zipfile.ZipFile(inbox / "photos.xlsx", "w") as zf:
        zf.writestr("a.txt", "hello")
    files["photos.xlsx"] = (b"", "corrupt_file")
    return {n: code for n, (_, code) in files.items()}


def test_bad_file_corpus_rejected_whole_never_crashes(tmp_path):
    home = new_home(tmp_path)
    expected = _corpus(home.inbox)
    # ignored: hidden files, Excel lock files, our temp files
    (home.inbox / ".hidden.xlsx").write_bytes(b"x")
    (home.inbox / "~$陆凌村.xlsx").write_bytes(b"x")
    (home.inbox / ".yiye-tmp-123").write_bytes(b"x")
    (home.inbox / ".git").mkdir()
    (home.inbox / ".git" / "x.csv").write_bytes(b"x")
    roster_workbook(home.inbox / "ok.xlsx", [person(1)])
    s = ingest_inbox(home)
    assert s.files_failed == 0, s.errors
    assert s.files_seen == len(expected) + 1
    assert s.files_rejected == len(expected)
    got = dict(
        query(home, "select file_name, reason_code from raw.source_files where status = 'rejected'")
    )
    assert got == expected
    # one file-level issue per rejected file, Chinese reason, NULL sheet/row
    fi = query(home, "select source_file, sheet, row_number, rule_code, message from raw.dq_issues")
    assert {r[0] for r in fi} == set(expected)
    assert all(r[1] is None and r[2] is None for r in fi)
    reasons = dict(query(home, "select file_name, reason from raw.source_files"))
    assert "另存为" in reasons["old.xls"]
    assert "密码" in reasons["locked.xlsx"]
    # every file is archived under its sha256
    for sha, arch in query(home, "select source_sha256, archive_path from raw.source_files"):
        assert (home.root / arch).exists()
        assert arch.startswith(f"archive/{sha}")


def test_classify_ole_stream_names():
    assert classify_ole(_ole(["Workbook"])) == "legacy_xls"
    assert classify_ole(_ole(["EncryptedPackage"])) == "encrypted_file"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_training_csv_encodings(tmp_path, encoding):
    home = new_home(tmp_path)
    rows = [trainee(1, 学员姓名="张三丰"), trainee(2, 出勤率="0.8"), trainee(3, 出勤率="90")]
    training_csv(
        home.inbox / "培训.csv", rows, encoding=encoding, preamble=[["2024年培训记录导出"], []]
    )
    s = ingest_inbox(home)
    assert (s.files_new, s.files_rejected, s.rows_accepted) == (1, 0, 3)
    got = query(
        home,
        "select row_number, trainee_name, attendance_rate, sheet from raw.training_rows order by 1",
    )
    assert got == [(4, "张三丰", 0.95, "CSV"), (5, "李2", 0.8, "CSV"), (6, "李3", 0.9, "CSV")]
    assert query(home, "select kind, period, village_code from raw.source_files") == [
        ("training", None, None)
    ]


def test_training_rules_csv(tmp_path):
    home = new_home(tmp_path)
    t1 = trainee(1)
    rows = [
        t1,  # 2 ok
        trainee(2, 结业日期="2024-02-01"),  # 3 end_before_start
        dict(t1, 学员姓名="重复"),  # 4 dup_in_file (same class, same ID)
        dict(t1, 班级编号="BJ2024002"),  # 5 ok: other class
        trainee(5, 培训类别="烹饪"),  # 6 bad_value
        trainee(6, 出勤率="120%"),  # 7 bad_value
        trainee(7, 证书名称="电工证", 证书等级="初级"),  # 8 ok + cert_without_date warning
        trainee(8, 证书名称="电工证", 取证日期="2024/5/10", 证书等级="五级"),  # 9 ok, level synonym
        trainee(9, 是否结业="否", 开班日期="2024年3月1日"),  # 10 ok
        {h: "" for h in TRAINING_HEADER},  # 11 blank (ignored)
        trainee(10, 身份证号码="110101199001011234"),  # 12 bad_id
        {h: "" for h in TRAINING_HEADER},  # 13 trailing blank: not read
    ]
    training_csv(home.inbox / "t.csv", rows)
    s = ingest_inbox(home)
    assert (s.rows_read, s.rows_accepted, s.rows_rejected, s.rows_ignored) == (11, 5, 5, 1)
    errs = query(
        home,
        "select row_number, rule_code, column_name from raw.dq_issues where severity='error' "
        "order by 1",
    )
    assert errs == [
        (3, "end_before_start", "结业日期"),
        (4, "dup_in_file", "身份证号码"),
        (6, "bad_value", "培训类别"),
        (7, "bad_value", "出勤率"),
        (12, "bad_id", "身份证号码"),
    ]
    warns = query(home, "select row_number, rule_code from raw.dq_issues where severity='warning'")
    assert warns == [(8, "cert_without_date")]
    got = dict(query(home, "select row_number, certificate_level from raw.training_rows"))
    assert got[9] == "初级"
    assert query(
        home, "select completed, start_date from raw.training_rows where row_number = 10"
    ) == [(False, date(2024, 3, 1))]


def test_training_xlsx_recognised_by_anchor_not_name(tmp_path):
    home = new_home(tmp_path)
    t = trainee(1)
    _plain_xlsx(
        home.inbox / "roster_look_alike.xlsx",
        [["培训记录导出"], [], TRAINING_HEADER, [t[h] for h in TRAINING_HEADER]],
        title="导出",
    )
    ingest_inbox(home)
    assert query(home, "select kind, status from raw.source_files") == [("training", "accepted")]
    assert query(home, "select sheet, row_number, start_date from raw.training_rows") == [
        ("导出", 4, date(2024, 3, 1))
    ]


def test_training_missing_required_column_rejects_file(tmp_path):
    home = new_home(tmp_path)
    header = [h for h in TRAINING_HEADER if h != "是否结业"]
    training_csv(home.inbox / "t.csv", [trainee(1)], header=header)
    ingest_inbox(home)
    assert query(home, "select status, reason_code from raw.source_files") == [
        ("rejected", "missing_column")
    ]


def test_id_stored_as_number_cell(tmp_path):
    """A 15-digit legacy ID typed as a number still converts (an 18-digit one loses precision)."""
    home = new_home(tmp_path)
    roster_workbook(home.inbox / "r.xlsx", [person(1, 身份证号码=310115800101123)])
    ingest_inbox(home)
    assert query(home, "select id_number from raw.roster_rows") == [
        (make_id(date(1980, 1, 1), seq=123),)
    ]


def test_training_xlsx_two_sheets_one_missing_a_column(tmp_path):
    home = new_home(tmp_path)
    t1, t2 = trainee(1), trainee(2)
    path = home.inbox / "t.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "一班"
    ws.append(TRAINING_HEADER)
    ws.append([t1[h] for h in TRAINING_HEADER])
    ws.append([t1[h] for h in TRAINING_HEADER])  # dup_in_file across the whole file
    ws2 = wb.create_sheet("二班")
    short = [h for h in TRAINING_HEADER if h != "培训类别"]
    ws2.append(short)
    ws2.append([t2[h] for h in short])
    wb.create_sheet("说明").append(["本文件由培训系统导出"])
    wb.save(path)
    s = ingest_inbox(home)
    assert (s.files_rejected, s.rows_read, s.rows_accepted, s.rows_rejected) == (0, 3, 1, 2)
    assert query(home, "select sheet, row_number, rule_code from raw.dq_issues order by 1, 2") == [
        ("一班", 3, "dup_in_file"),
        ("二班", None, "missing_column"),
    ]
    assert query(
        home, "select sheet, rows_read, rows_rejected from raw.sheet_accounting order by 1"
    ) == [
        ("一班", 2, 1),
        ("二班", 1, 1),
    ]
