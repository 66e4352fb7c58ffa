"""Per-village house styles and the deliberate mess of sources.md (seeded).

A village keeps its style for the whole period (clerks copy last month's file), which is
what makes roster rows cacheable; per-file mess (invalid rows, footers, missing referral
sheet) is drawn per file in writers.py.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from ingest.demo import xlsx as X

ROSTER_COLUMNS = [
    "姓名", "性别", "身份证号码", "联系电话", "户编号", "与户主关系", "户籍性质", "文化程度",
    "人员类别", "就业状态", "就业单位", "单位统一社会信用代码", "就业日期", "失业登记日期",
    "就业意愿", "备注",
]  # fmt: skip
REFERRAL_COLUMNS = [
    "姓名", "身份证号码", "推荐日期", "推荐单位", "单位统一社会信用代码", "推荐岗位", "是否上岗",
    "上岗日期", "离岗日期", "推荐人",
]  # fmt: skip
REQUIRED = {"姓名", "身份证号码", "户编号", "就业状态", "推荐日期", "推荐单位", "是否上岗"}

# Header spellings seen in the wild; all normalise (NFKC, strip, drop * and （…）) to the key.
HEADER_VARIANTS: dict[str, list[str]] = {
    "姓名": ["姓　名", "姓名*", "姓名（必填）", " 姓名 "],
    "身份证号码": ["身份证号码*", "身份证号码\n（18位）", "身份证号码（必填）", "身份证号码 "],
    "户编号": ["户编号*", "户 编 号", "户编号（必填）"],
    "就业状态": ["就业\n状态", "就业状态*", "就业状态（必填）"],
    "联系电话": ["联系\n电话", "联系电话（手机）"],
    "单位统一社会信用代码": ["单位统一社会\n信用代码", "单位统一社会信用代码（１８位）"],
    "就业日期": ["就业日期（年月日）", "就业\n日期"],
    "人员类别": ["人员类别（可多选）", "人员\n类别"],
    "与户主关系": ["与户主\n关系"],
    "推荐日期": ["推荐日期*", "推荐\n日期"],
    "是否上岗": ["是否上岗*", "是否\n上岗"],
}

STATUS_SYNONYMS: dict[str, list[str]] = {
    "单位就业": ["已就业", "单位招用", "在岗"],
    "灵活就业": ["自谋职业", "非全日制"],
    "自主创业": ["个体经营", "创业"],
    "公益性岗位": ["公益岗", "公益性岗位就业"],
    "登记失业": ["失业", "失业登记"],
    "未就业": ["待业", "无业", "实际失业"],
    "退休": ["离退休"],
    "在校学生": ["在校", "在读", "学生"],
    "丧失劳动能力": ["无劳动能力"],
    "服兵役": ["参军"],
}
TAG_SEPARATORS = ["、", "，", ",", ";", "；", "/", " "]
DATE_FORMATS = ["date", "iso", "slash", "dot", "cn", "compact", "serial"]
MONTH_FORMATS = ["iso", "cn", "compact", "date"]
YES_NO = [("是", "否"), ("Y", "N"), ("1", "0"), ("√", "×")]
EMPTY_MARKERS = ["/", "-", "—", "无", "空"]
FOOTERS = ["合计", "填表人", "审核人", "填报日期", "注：", "说明", "小计"]


def fmt_date(value: date | None, style: str) -> str:
    """One date cell in the given style ('' style → real Excel date)."""
    if value is None:
        return X.EMPTY
    if style == "date":
        return X.d(value)
    if style == "serial":
        return X.n(X.serial(value))
    return X.s(text_date(value, style))


def text_date(value: date, style: str) -> str:
    if style == "slash":
        return f"{value.year}/{value.month}/{value.day}"
    if style == "dot":
        return f"{value.year}.{value.month}.{value.day}"
    if style == "cn":
        return f"{value.year}年{value.month}月{value.day}日"
    if style == "compact":
        return value.strftime("%Y%m%d")
    return value.isoformat()


def fmt_month(month: date, style: str) -> str:
    if style == "cn":
        return X.s(f"{month.year}年{month.month}月")
    if style == "compact":
        return X.s(f"{month.year}{month.month:02d}")
    if style == "date":
        return X.d(month)
    return X.s(f"{month.year}-{month.month:02d}")


@dataclass
class VillageStyle:
    """How one village's clerk lays out the roster workbook."""

    layout_id: int
    order: list[str] = field(default_factory=lambda: list(ROSTER_COLUMNS))
    headers: dict[str, str] = field(default_factory=dict)
    extra_column: str | None = None
    blank_row: bool = False
    merged_title: bool = True
    date_fmt: str = "date"
    month_fmt: str = "iso"
    status_syn: dict[str, str] = field(default_factory=dict)
    tag_sep: str = "、"
    empty_marker: str = ""
    wish_blank: bool = False
    yes_no: tuple[str, str] = ("是", "否")
    footers: list[str] = field(default_factory=list)
    log_title: bool = False
    odd_name: bool = False

    def header(self, key: str) -> str:
        return self.headers.get(key, key)


def village_style(idx: int, rng: random.Random, messy: bool) -> VillageStyle:
    """Draw a village's style; with messy=False the canonical layout."""
    st = VillageStyle(layout_id=idx)
    if not messy:
        return st
    # Every listed date form appears: villages cycle through them.
    st.date_fmt = DATE_FORMATS[idx % len(DATE_FORMATS)]
    st.month_fmt = MONTH_FORMATS[idx % len(MONTH_FORMATS)]
    st.tag_sep = TAG_SEPARATORS[idx % len(TAG_SEPARATORS)]
    st.yes_no = YES_NO[idx % len(YES_NO)]
    st.blank_row = rng.random() < 0.5
    st.merged_title = rng.random() < 0.7
    st.log_title = rng.random() < 0.5
    st.wish_blank = rng.random() < 0.3
    st.odd_name = rng.random() < 0.3
    if rng.random() < 0.3:
        st.empty_marker = rng.choice(EMPTY_MARKERS)
    if rng.random() < 0.35:
        # reorder: household columns first, phone and remark elsewhere
        order = list(ROSTER_COLUMNS)
        rng.shuffle(order)
        st.order = order
    if rng.random() < 0.25:
        st.extra_column = rng.choice(["所在网格", "走访情况", "社保缴纳情况"])
    if rng.random() < 0.5:
        for key, variants in HEADER_VARIANTS.items():
            if rng.random() < 0.5:
                st.headers[key] = rng.choice(variants)
    if rng.random() < 0.4:
        for canon, syns in STATUS_SYNONYMS.items():
            if rng.random() < 0.5:
                st.status_syn[canon] = rng.choice(syns)
    st.footers = rng.sample(FOOTERS, k=rng.randrange(0, 4))
    return st
