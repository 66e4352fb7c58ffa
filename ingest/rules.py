"""Data-quality rule codes and their Chinese messages (docs/DATA_QUALITY_RULES.md)."""

from __future__ import annotations

from dataclasses import dataclass

from yiye.privacy import mask_value

ERROR = "error"
WARNING = "warning"

# Whole-file rejection reasons (source_files.reason and the file-level dq_issues row).
FILE_REASONS: dict[str, str] = {
    "empty_file": "文件为空，没有可读取的内容",
    "corrupt_file": "文件已损坏或不是有效的 Excel/CSV 文件，无法打开",
    "legacy_xls": "旧版 Excel 97-2003（.xls）格式不受支持，请在 Excel 中“另存为” .xlsx 后重新报送",
    "encrypted_file": "文件设有打开密码，无法读取，请取消密码后重新报送",
    "bad_encoding": "CSV 文件编码无法识别（支持 UTF-8 或 GB18030/GBK），请重新导出",
    "unknown_kind": "无法识别文件类型：没有找到“人员台账”“企业名录”工作表或“班级编号”列",
    "unknown_village": "村居代码不在村居名录中",
    "missing_column": "主工作表缺少必填列",
    "bad_period": "报表期缺失或无法识别（应为 2024-06、2024年6月 或 202406）",
    "bad_export_date": "导出日期缺失或无法识别（第 2 行 A2「导出日期」、B2 日期）",
}


@dataclass(frozen=True)
class Issue:
    """One dq_issues row (before provenance is added)."""

    severity: str
    rule_code: str
    message: str
    sheet: str | None = None
    row_number: int | None = None
    column_name: str | None = None
    bad_value_masked: str | None = None


def masked(value: object, *, date_like: bool = False) -> str | None:
    """Masked form of a bad value. A bad date (at most 8 digits, e.g. `2023-02-30`) is shown
    as typed so the clerk can find it; longer digit strings are masked as identifiers."""
    from ingest.normalize import text

    s = text(value)
    if s == "":
        return None
    if date_like and sum(ch.isdigit() for ch in s) <= 8:
        return s
    return mask_value(s)


def row_issue(
    severity: str,
    rule_code: str,
    sheet: str,
    row_number: int,
    column: str | None,
    detail: str,
    value: object = None,
) -> Issue:
    """`第12行「身份证号码」校验位错误：310115********123X`."""
    mv = masked(
        value,
        date_like=rule_code
        in ("bad_date", "future_date", "end_before_start", "start_before_referral"),
    )
    where = f"第{row_number}行" + (f"「{column}」" if column else "")
    msg = f"{where}{detail}" + (f"：{mv}" if mv is not None else "")
    return Issue(severity, rule_code, msg, sheet, row_number, column, mv)


def file_issue(rule_code: str, detail: str | None = None) -> Issue:
    base = FILE_REASONS.get(rule_code, rule_code)
    return Issue(ERROR, rule_code, base + (f"：{detail}" if detail else ""))
