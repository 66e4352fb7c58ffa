"""如何修改: a fix hint for every rule code of docs/DATA_QUALITY_RULES.md."""

from __future__ import annotations

RULE_NAMES: dict[str, str] = {
    "empty_file": "文件为空",
    "corrupt_file": "文件损坏",
    "legacy_xls": "旧版 .xls 格式",
    "encrypted_file": "文件加密",
    "bad_encoding": "CSV 编码无法识别",
    "unknown_kind": "无法识别文件类型",
    "unknown_village": "村居代码不在名录中",
    "bad_period": "报表期缺失或无法识别",
    "bad_export_date": "导出日期缺失或无法识别",
    "missing_column": "缺少必填列",
    "bad_id": "身份证号码错误",
    "missing_name": "姓名为空",
    "missing_household": "户编号为空",
    "bad_status": "就业状态无法识别",
    "bad_date": "日期无法识别",
    "future_date": "就业日期晚于报表期",
    "dup_in_file": "文件内重复",
    "missing_required": "必填列为空",
    "bad_value": "取值无效",
    "bad_uscc": "统一社会信用代码无效",
    "placed_without_date": "已上岗但无上岗日期",
    "start_before_referral": "上岗日期早于推荐日期",
    "end_before_start": "结束日期早于开始日期",
    "unknown_enterprise": "企业不在企业名录中",
    "missing_end_date": "注销日期为空",
    "unknown_column": "未定义的列",
    "bad_phone": "电话号码无效",
    "unknown_tag": "人员类别无法识别",
    "sex_mismatch": "性别与身份证不一致",
    "cert_without_date": "有证书无取证日期",
    "unknown_value": "可选列取值无效",
    "unknown_village_ref": "所属村居无法识别",
    "village_name_mismatch": "村居名称与代码不符",
    "cross_village_duplicate": "多村居重复登记",
}

FIX_HINTS: dict[str, str] = {
    "empty_file": "重新导出/保存后再报送",
    "corrupt_file": "用 Excel 打开确认无误后另存为 .xlsx 再报送",
    "legacy_xls": "在 Excel 中“文件→另存为→Excel 工作簿(*.xlsx)”后重新报送",
    "encrypted_file": "“文件→信息→保护工作簿→用密码进行加密”，清空密码后保存再报送",
    "bad_encoding": "从培训系统重新导出，或在 Excel 中另存为“CSV UTF-8”",
    "unknown_kind": "使用统一模板；不要把无关文件放进收件箱",
    "unknown_village": "在 B2 填写本村居 12 位代码（见村居名录）；名录需更新时联系服务中心",
    "bad_period": "在 F2 填写报表期，如 2024-06、2024年6月 或 202406",
    "bad_export_date": "一企一册第 2 行：A2「导出日期」、B2 填日期",
    "missing_column": "按模板补回该列（列名可带 * 或“（必填）”）",
    "bad_id": "核对证件号码；15 位旧号可直接填写（自动升位）",
    "missing_name": "补填姓名",
    "missing_household": "补填户编号（文本格式，保留前导 0）",
    "bad_status": "使用规定的就业状态：单位就业、灵活就业、自主创业、公益性岗位、登记失业、未就业等",
    "bad_date": "日期写成 2023-05-01、2023/5/1、2023年5月1日 或 Excel 日期",
    "future_date": "核对就业日期或报表期",
    "dup_in_file": "删除重复行（保留第一次出现的行）",
    "missing_required": "补填该必填列",
    "bad_value": "按模板规定的取值填写",
    "bad_uscc": "核对 18 位统一社会信用代码",
    "placed_without_date": "补填上岗日期",
    "start_before_referral": "核对推荐日期与上岗日期",
    "end_before_start": "核对开始与结束日期（离岗/上岗，结业/开班）",
    "unknown_enterprise": "先在企业名录中登记该企业",
    "missing_end_date": "补填注销日期",
    "unknown_column": "可忽略，或删除模板外的列",
    "bad_phone": "填写 11 位手机号或固定电话",
    "unknown_tag": "使用规定的 8 个人员类别，用顿号（、）分隔",
    "sex_mismatch": "核对性别或身份证号码",
    "cert_without_date": "补填取证日期",
    "unknown_value": "按模板规定的取值填写",
    "unknown_village_ref": "「所属村居」填 12 位村居代码或村居全称",
    "village_name_mismatch": "核对 B2 村居代码与 D2 村居名称",
    "cross_village_duplicate": "与另一村居核实此人实际居住地，从不应登记的台账中删除",
}

GENERIC_HINT = "请对照模板核对该单元格，仍有疑问请联系服务中心"


def fix_hint(rule_code: str | None) -> str:
    return FIX_HINTS.get(rule_code or "", GENERIC_HINT)


def rule_name(rule_code: str | None) -> str:
    return RULE_NAMES.get(rule_code or "", rule_code or "")


def translate_reasons(top_reasons: str | None) -> str:
    """`bad_id×3；bad_date×1` → `身份证号码错误×3；日期无法识别×1`."""
    if not top_reasons:
        return ""
    parts = []
    for part in top_reasons.split("；"):
        code, sep, n = part.partition("×")
        parts.append(f"{rule_name(code)}{sep}{n}")
    return "；".join(parts)
