"""Sheet specifications of the three source kinds (sources.md A, B, C)."""

from __future__ import annotations

from ingest import normalize as nz
from ingest.rules import WARNING, Issue, row_issue
from ingest.sheets import Col, RowError, SheetContext, SheetSpec

RELATION = nz.enum_parser(
    ("户主", "配偶", "子", "女", "父母", "孙子女", "其他"),
    {
        "本人": "户主",
        "妻": "配偶",
        "夫": "配偶",
        "妻子": "配偶",
        "丈夫": "配偶",
        "儿子": "子",
        "长子": "子",
        "次子": "子",
        "女儿": "女",
        "长女": "女",
        "次女": "女",
        "父亲": "父母",
        "母亲": "父母",
        "父": "父母",
        "母": "父母",
        "孙子": "孙子女",
        "孙女": "孙子女",
        "外孙子": "孙子女",
        "外孙女": "孙子女",
    },
)
HUKOU = nz.enum_parser(
    ("本市城镇", "本市农村", "外省市"),
    {"城镇": "本市城镇", "农村": "本市农村", "外省": "外省市", "外地": "外省市"},
)
EDUCATION = nz.enum_parser(
    ("研究生", "大学本科", "大专", "高中/中专", "初中及以下"),
    {
        "博士": "研究生",
        "硕士": "研究生",
        "博士研究生": "研究生",
        "硕士研究生": "研究生",
        "本科": "大学本科",
        "大学": "大学本科",
        "专科": "大专",
        "大学专科": "大专",
        "高中": "高中/中专",
        "中专": "高中/中专",
        "职高": "高中/中专",
        "技校": "高中/中专",
        "中专/高中": "高中/中专",
        "高中及中专": "高中/中专",
        "初中": "初中及以下",
        "小学": "初中及以下",
        "文盲": "初中及以下",
        "文盲或半文盲": "初中及以下",
    },
)
ORG_TYPE = nz.enum_parser(
    ("有限责任公司", "个体工商户", "合伙企业", "农民专业合作社", "民办非企业单位", "其他")
)
BUSINESS_STATUS = nz.enum_parser(("存续", "注销", "吊销", "迁出"), {"在业": "存续", "开业": "存续"})
SUPPORT_TYPE = nz.enum_parser(
    ("创业培训", "开业指导", "担保贷款", "贴息贷款", "无偿资助", "场地支持", "孵化入驻")
)
JOB_STATUS = nz.enum_parser(("招聘中", "已招满", "已关闭"))
TRAINING_CATEGORY = nz.enum_parser(
    ("职业技能培训", "创业培训", "岗位技能提升培训", "定单定岗培训", "专项职业能力培训"),
    {"订单定岗培训": "定单定岗培训"},
)
CERT_LEVEL = nz.enum_parser(
    ("初级", "中级", "高级", "专项"), {"五级": "初级", "四级": "中级", "三级": "高级"}
)


def _warn(ctx: SheetContext, rn: int, rule: str, col: str, detail: str, value: object) -> Issue:
    return row_issue(WARNING, rule, ctx.sheet, rn, col, detail, value)


# ------------------------------------------------------------------ A. roster


def _check_roster(rec: dict, rn: int, ctx: SheetContext) -> list[Issue]:
    out: list[Issue] = []
    id18 = rec["id_number"]
    id_sex = nz.sex_from_id(id18)
    given = rec.get("sex")
    if given and given != id_sex:
        out.append(
            _warn(
                ctx,
                rn,
                "sex_mismatch",
                "性别",
                f"与身份证号码不一致，按身份证号码记为“{id_sex}”",
                given,
            )
        )
    rec["sex"] = id_sex
    assert ctx.report_month is not None
    emp = rec.get("employment_date")
    if emp is not None and emp > nz.month_end(ctx.report_month):
        raise RowError("future_date", "就业日期", "晚于报表期最后一天", emp.isoformat())
    if id18 in ctx.seen_keys:
        raise RowError("dup_in_file", "身份证号码", "在本表中重复出现（保留第一次出现的行）", id18)
    ctx.seen_keys.add(id18)
    return out


ROSTER = SheetSpec(
    name="人员台账",
    anchor="身份证号码",
    columns=(
        Col("序号", None, "ignore"),
        Col("姓名", "person_name", "text", True, "missing_name"),
        Col("性别", "sex", "sex"),
        Col("身份证号码", "id_number", "id", True, "bad_id", aliases=("身份证号", "公民身份号码")),
        Col("联系电话", "phone", "phone", aliases=("电话", "手机号码", "联系方式")),
        Col("户编号", "household_no", "text", True, "missing_household", aliases=("户号",)),
        Col("与户主关系", "relation", "enum", parser=RELATION),
        Col("户籍性质", "hukou", "enum", parser=HUKOU),
        Col("文化程度", "education", "enum", parser=EDUCATION),
        Col("人员类别", "tags", "tags"),
        Col("就业状态", "employment_status", "status", True, "bad_status"),
        Col("就业单位", "employer_name", "text"),
        Col("单位统一社会信用代码", "employer_uscc", "uscc"),
        Col("就业日期", "employment_date", "date"),
        Col("失业登记日期", "unemployment_reg_date", "date"),
        Col("就业意愿", "wish_to_work", "wish"),
        Col("备注", "remark", "text"),
    ),
    check=_check_roster,
)


def _check_referral(rec: dict, rn: int, ctx: SheetContext) -> list[Issue]:
    start, ref, end = rec.get("start_date"), rec["referral_date"], rec.get("end_date")
    if rec["placed"] and start is None:
        raise RowError("placed_without_date", "上岗日期", "是否上岗为“是”但上岗日期为空")
    if start is not None and start < ref:
        raise RowError("start_before_referral", "上岗日期", "早于推荐日期", start.isoformat())
    if end is not None and start is not None and end < start:
        raise RowError("end_before_start", "离岗日期", "早于上岗日期", end.isoformat())
    return []


REFERRAL = SheetSpec(
    name="推荐上岗记录",
    anchor="推荐日期",
    columns=(
        Col("序号", None, "ignore"),
        Col("姓名", "person_name", "text"),
        Col("身份证号码", "id_number", "id", True, "bad_id", aliases=("身份证号", "公民身份号码")),
        Col("推荐日期", "referral_date", "date", True),
        Col("推荐单位", "employer_name", "text", True),
        Col("单位统一社会信用代码", "employer_uscc", "uscc"),
        Col("推荐岗位", "job_title", "text"),
        Col("是否上岗", "placed", "bool", True),
        Col("上岗日期", "start_date", "date"),
        Col("离岗日期", "end_date", "date"),
        Col("推荐人", "referrer", "text"),
    ),
    check=_check_referral,
)

# ------------------------------------------------------------------ B. register

ENDED = frozenset({"注销", "吊销", "迁出"})


def _check_enterprise(rec: dict, rn: int, ctx: SheetContext) -> list[Issue]:
    out: list[Issue] = []
    if rec["business_status"] in ENDED and rec.get("end_date") is None:
        raise RowError(
            "missing_end_date", "注销日期", f"经营状态为“{rec['business_status']}”但注销日期为空"
        )
    ref = rec.pop("village_ref", None)
    rec["village_code"] = None
    if ref is not None:
        code = ref if ref in ctx.villages else ctx.village_names.get(ref)
        if code is None:
            out.append(
                _warn(
                    ctx,
                    rn,
                    "unknown_village_ref",
                    "所属村居",
                    "不是村居名录中的代码或名称，已按未归属处理",
                    ref,
                )
            )
        rec["village_code"] = code
    if rec["uscc"] in ctx.seen_keys:
        raise RowError("dup_in_file", "统一社会信用代码", "重复（保留第一次出现的行）", rec["uscc"])
    ctx.seen_keys.add(rec["uscc"])
    return out


ENTERPRISES = SheetSpec(
    name="企业名录",
    anchor="统一社会信用代码",
    columns=(
        Col("序号", None, "ignore"),
        Col("统一社会信用代码", "uscc", "uscc", True),
        Col("企业名称", "enterprise_name", "text", True),
        Col("组织类型", "org_type", "enum", parser=ORG_TYPE),
        Col("成立日期", "founded_date", "date", True),
        Col("经营状态", "business_status", "enum", True, parser=BUSINESS_STATUS),
        Col("注销日期", "end_date", "date"),
        Col("所属村居", "village_ref", "text"),
        Col("行业", "industry", "text"),
        Col("职工人数", "headcount", "int"),
    ),
    check=_check_enterprise,
)


def _require_enterprise(rec: dict, ctx: SheetContext) -> None:
    if ctx.known_uscc is None or rec["uscc"] not in ctx.known_uscc:
        raise RowError("unknown_enterprise", "统一社会信用代码", "不在企业名录中", rec["uscc"])


def _check_support(rec: dict, rn: int, ctx: SheetContext) -> list[Issue]:
    _require_enterprise(rec, ctx)
    return []


SUPPORT = SheetSpec(
    name="创业扶持",
    anchor="统一社会信用代码",
    columns=(
        Col("序号", None, "ignore"),
        Col("统一社会信用代码", "uscc", "uscc", True),
        Col("创业者姓名", "founder_name", "text"),
        Col("创业者身份证号码", "founder_id", "id", True, "bad_id"),
        Col("扶持日期", "support_date", "date", True),
        Col("扶持方式", "support_type", "enum", True, parser=SUPPORT_TYPE),
        Col("扶持金额", "amount", "number"),
        Col("带动就业人数", "jobs_created", "int"),
    ),
    check=_check_support,
)


def _check_vacancy(rec: dict, rn: int, ctx: SheetContext) -> list[Issue]:
    if rec["openings"] < 1:
        raise RowError("bad_value", "招聘人数", "应为不小于 1 的整数", rec["openings"])
    lo, hi = rec.get("salary_min"), rec.get("salary_max")
    if lo is not None and hi is not None and lo > hi:
        raise RowError("bad_value", "月薪下限", f"高于月薪上限 {hi:g}", f"{lo:g}")
    _require_enterprise(rec, ctx)
    return []


VACANCIES = SheetSpec(
    name="岗位信息",
    anchor="统一社会信用代码",
    columns=(
        Col("序号", None, "ignore"),
        Col("统一社会信用代码", "uscc", "uscc", True),
        Col("岗位名称", "job_title", "text", True),
        Col("招聘人数", "openings", "int", True),
        Col("月薪下限", "salary_min", "number"),
        Col("月薪上限", "salary_max", "number"),
        Col("发布日期", "posted_date", "date", True),
        Col("截止日期", "closing_date", "date"),
        Col("岗位状态", "job_status", "enum", parser=JOB_STATUS),
    ),
    check=_check_vacancy,
)

# ------------------------------------------------------------------ C. training


def _check_training(rec: dict, rn: int, ctx: SheetContext) -> list[Issue]:
    out: list[Issue] = []
    if rec["end_date"] < rec["start_date"]:
        raise RowError("end_before_start", "结业日期", "早于开班日期", rec["end_date"].isoformat())
    if rec.get("certificate_name") and rec.get("certificate_date") is None:
        out.append(
            _warn(
                ctx,
                rn,
                "cert_without_date",
                "取证日期",
                "填写了证书名称但取证日期为空",
                rec["certificate_name"],
            )
        )
    key = (rec["class_id"], rec["id_number"])
    if key in ctx.seen_keys:
        raise RowError(
            "dup_in_file",
            "身份证号码",
            f"同一班级（{rec['class_id']}）中重复出现（保留第一次出现的行）",
            rec["id_number"],
        )
    ctx.seen_keys.add(key)
    return out


TRAINING = SheetSpec(
    name="培训记录",
    anchor="班级编号",
    columns=(
        Col("序号", None, "ignore"),
        Col("班级编号", "class_id", "text", True),
        Col("培训项目", "course_name", "text", True),
        Col("培训类别", "training_category", "enum", True, parser=TRAINING_CATEGORY),
        Col("合作企业统一社会信用代码", "partner_uscc", "uscc"),
        Col("开班日期", "start_date", "date", True),
        Col("结业日期", "end_date", "date", True),
        Col("学员姓名", "trainee_name", "text", aliases=("姓名",)),
        Col("身份证号码", "id_number", "id", True, "bad_id", aliases=("身份证号", "公民身份号码")),
        Col("出勤率", "attendance_rate", "rate"),
        Col("是否结业", "completed", "bool", True),
        Col("证书名称", "certificate_name", "text"),
        Col("证书等级", "certificate_level", "enum", parser=CERT_LEVEL),
        Col("取证日期", "certificate_date", "date"),
    ),
    check=_check_training,
)
