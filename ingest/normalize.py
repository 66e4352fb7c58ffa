"""Value normalisers (sources.md, "Cell values"): pure functions, no I/O.

Each parser takes a raw cell value (as returned by python-calamine or the CSV reader: str,
float, int, bool, date, datetime or None) and returns the normalised value, or raises
`ValueError` when the value is invalid. Empty cells are handled by the caller
(`is_empty`).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from functools import lru_cache

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

PLACEHOLDERS = frozenset({"/", "-", "—", "无", "空", "－", "——", "--", "―"})
EXCEL_EPOCH = date(1899, 12, 30)


# ---------------------------------------------------------------- text


def text(value: object) -> str:
    """NFKC-normalised, stripped text of a cell ('' for None). Integral floats lose '.0'."""
    if type(value) is str:  # fast path: most cells
        if value.isascii():
            return value.strip()
        return _nfkc(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return unicodedata.normalize("NFKC", str(value)).strip()


@lru_cache(maxsize=1 << 16)
def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


def is_blank(value: object) -> bool:
    if value is None or value == "":
        return True
    if type(value) is str:
        return not value.strip() and not unicodedata.normalize("NFKC", value).strip()
    return text(value) == ""


def is_empty(value: object, *, placeholders: bool = True) -> bool:
    """True for blank cells and (if `placeholders`) cells holding only / - — 无 空."""
    s = text(value)
    return s == "" or (placeholders and s in PLACEHOLDERS)


_HINT_RE = re.compile(r"[(\[【][^)\]】]*[)\]】]")
_WS_RE = re.compile(r"\s+")


def column_name(value: object) -> str:
    """Normalise a header cell: NFKC, no whitespace (incl. line breaks), no `*`, no hints."""
    s = text(value)
    s = _WS_RE.sub("", s)
    s = _HINT_RE.sub("", s)  # （必填）, (元), (YYYY-MM-DD) ... after NFKC （ → (
    return s.replace("*", "").replace("※", "").strip()


# ---------------------------------------------------------------- dates

_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_MIDNIGHT_RE = re.compile(r"^(\S+)\s+0{1,2}:00(:00)?$")
_SERIAL_TEXT_RE = re.compile(r"^\d{5}(\.0+)?$")
_MIN_SERIAL, _MAX_SERIAL = 1, 2958465  # Excel's range (1900-01-01 .. 9999-12-31)


def excel_serial_to_date(serial: float) -> date:
    if not (_MIN_SERIAL <= serial <= _MAX_SERIAL):
        raise ValueError(f"serial out of range: {serial}")
    return EXCEL_EPOCH + timedelta(days=int(serial))


def parse_date(value: object) -> date:
    """Excel date/datetime, Excel serial number, or one of the listed text forms."""
    if type(value) is str:
        return _parse_date_text(value)
    return _parse_date(value)


@lru_cache(maxsize=1 << 16)
def _parse_date_text(value: str) -> date:
    return _parse_date(value)


def _parse_date(value: object) -> date:
    if isinstance(value, bool):
        raise ValueError("boolean is not a date")
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)):
        if isinstance(value, float) and value != value:
            raise ValueError("NaN")
        if float(value).is_integer() and 19000101 <= value <= 29991231:
            value = str(int(value))  # 20230501 typed as a number: the 8-digit text form
        else:
            return excel_serial_to_date(float(value))
    s = text(value).replace(" ", "") if "年" in text(value) else text(value)
    m = _MIDNIGHT_RE.match(s)  # '2023-05-01 00:00:00' as text from a CSV export
    if m:
        s = m.group(1)
    for pat in _DATE_PATTERNS:
        m = pat.match(s)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            return date(y, mo, d)  # raises ValueError for 2023-02-30
    if _SERIAL_TEXT_RE.match(s):
        return excel_serial_to_date(float(s))
    raise ValueError(f"not a date: {s!r}")


_MONTH_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(?:份)?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
)


def parse_month(value: object) -> date:
    """Report month → first day of that month. Month forms, or any date inside the month."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 190001 <= value <= 299912:
            value = str(int(value))  # 202406 typed as a number: the YYYYMM text form
    if not isinstance(value, (date, datetime, int, float)) or isinstance(value, bool):
        s = text(value).replace(" ", "")
        for pat in _MONTH_PATTERNS:
            m = pat.match(s)
            if m:
                y, mo = int(m.group(1)), int(m.group(2))
                return date(y, mo, 1)
    d = parse_date(value)
    return d.replace(day=1)


@lru_cache(maxsize=1024)
def month_end(first: date) -> date:
    nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


# ---------------------------------------------------------------- identifiers

PROVINCE_CODES = frozenset(
    [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46]
    + [50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82]
)


class IdError(ValueError):
    """Invalid resident ID; `reason` is a short Chinese explanation."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _id_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = text(value)
    return re.sub(r"[\s\-]", "", s).upper()


def id15_to_18(id15: str) -> str:
    """Legacy 15-digit ID → 18 digits: century 19 inserted, check digit appended."""
    body = id15[:6] + "19" + id15[6:]
    return body + ric.calc_check_digit(body + "0")


def normalise_id(value: object, *, today: date | None = None) -> str:
    """Validate a resident ID; see `_normalise_id` (results cached: IDs recur every month)."""
    return _normalise_id(value, today or date.today())


@lru_cache(maxsize=1 << 18)
def _normalise_id(value: object, today: date) -> str:
    """Validate a resident ID (GB 11643) and return the 18-character upper-case form.

    Province code + real birth date + check digit (stdnum's helpers); the county-existed-
    in-birth-year test of `ric.validate` is deliberately not applied (sources.md trap).
    """
    s = _id_text(value)
    if not s:
        raise IdError("为空")
    if len(s) == 15:
        if not s.isdigit():
            raise IdError("格式错误")
        s = id15_to_18(s)
    if len(s) != 18:
        raise IdError("位数错误")
    if not s[:17].isdigit() or not (s[17].isdigit() or s[17] == "X"):
        raise IdError("格式错误")
    if int(s[:2]) not in PROVINCE_CODES:
        raise IdError("地区码错误")
    try:
        born = ric.get_birth_date(s)
    except (ValidationError, ValueError) as exc:
        raise IdError("出生日期无效") from exc
    if born.year < 1900 or born > today:
        raise IdError("出生日期无效")
    if ric.calc_check_digit(s) != s[17]:
        raise IdError("校验位错误")
    return s


def sex_from_id(id18: str) -> str:
    return "男" if int(id18[16]) % 2 == 1 else "女"


def birth_date_from_id(id18: str) -> date:
    return ric.get_birth_date(id18)


def normalise_uscc(value: object) -> str:
    """Validate a USCC (GB 32100) with python-stdnum; cached (employers recur)."""
    return _normalise_uscc(text(value))


@lru_cache(maxsize=1 << 16)
def _normalise_uscc(value: str) -> str:
    s = re.sub(r"[\s\-]", "", text(value)).upper()
    try:
        return uscc.validate(s)
    except ValidationError as exc:
        raise ValueError(f"bad USCC: {s!r}") from exc


_MOBILE_RE = re.compile(r"^1\d{10}$")
_LANDLINE_RE = re.compile(r"^(0\d{2,3})?[2-9]\d{6,7}$")


def normalise_phone(value: object) -> str:
    """11-digit mobile starting with 1, or a landline (optional area code, 7–8 digits)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = re.sub(r"[\s\-()]", "", text(value))
    if s.startswith("+86"):
        s = s[3:]
    elif s.startswith("86") and len(s) == 13:
        s = s[2:]
    if _MOBILE_RE.match(s) or _LANDLINE_RE.match(s):
        return s
    raise ValueError(f"bad phone: {s!r}")


# ---------------------------------------------------------------- code lists

STATUS_SYNONYMS: dict[str, tuple[str, ...]] = {
    "单位就业": ("已就业", "单位招用", "在岗"),
    "灵活就业": ("自谋职业", "非全日制"),
    "自主创业": ("个体经营", "创业"),
    "公益性岗位": ("公益岗", "公益性岗位就业"),
    "登记失业": ("失业", "失业登记"),
    "未就业": ("待业", "无业", "实际失业"),
    "退休": ("离退休",),
    "在校学生": ("在校", "在读", "学生"),
    "丧失劳动能力": ("无劳动能力",),
    "服兵役": ("参军",),
    "其他": (),
}
STATUS_MAP: dict[str, str] = {
    **{c: c for c in STATUS_SYNONYMS},
    **{s: c for c, syns in STATUS_SYNONYMS.items() for s in syns},
}


def normalise_status(value: object) -> str:
    s = _WS_RE.sub("", text(value))
    try:
        return STATUS_MAP[s]
    except KeyError:
        raise ValueError(f"unknown status: {s!r}") from None


TAGS = (
    "就业困难人员",
    "零就业家庭成员",
    "就业困难高校毕业生",
    "离校未就业高校毕业生",
    "长期失业青年",
    "退役军人",
    "残疾人",
    "低保家庭成员",
)
_TAG_SPLIT_RE = re.compile(r"[、,，;；/\s]+")


def split_tags(value: object) -> tuple[list[str], list[str]]:
    """'就业困难人员、残疾人' → (known tags in order without duplicates, unknown tags)."""
    known: list[str] = []
    unknown: list[str] = []
    for part in _TAG_SPLIT_RE.split(text(value)):
        if not part or part in PLACEHOLDERS:
            continue
        if part in TAGS:
            if part not in known:
                known.append(part)
        elif part not in unknown:
            unknown.append(part)
    return known, unknown


def tags_column(tags: list[str]) -> str:
    """Pipe-delimited with leading/trailing pipes (raw_schema.py); '' for no tags."""
    return "|" + "|".join(tags) + "|" if tags else ""


_TRUE = frozenset({"是", "Y", "YES", "1", "√", "TRUE", "✓", "✔"})
_FALSE = frozenset({"否", "N", "NO", "0", "×", "FALSE", "X", "✗", "✘"})


def parse_bool(value: object) -> bool:
    """是/否, Y/N, 1/0, √/× (and real boolean cells)."""
    if isinstance(value, bool):
        return value
    s = text(value).upper()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise ValueError(f"not yes/no: {s!r}")


def enum_parser(values: tuple[str, ...], synonyms: dict[str, str] | None = None):
    """Parser accepting the listed values (and synonyms), whitespace-insensitive."""
    table = {v: v for v in values}
    table.update(synonyms or {})

    def parse(value: object) -> str:
        s = _WS_RE.sub("", text(value))
        try:
            return table[s]
        except KeyError:
            raise ValueError(f"not one of {values}: {s!r}") from None

    return parse


_NUM_RE = re.compile(r"^[+-]?\d+(\.\d+)?$")


def parse_number(value: object) -> float:
    """A number ≥ 0 (cells, or text with thousands separators / a trailing 元)."""
    if isinstance(value, bool):
        raise ValueError("boolean")
    if isinstance(value, (int, float)):
        x = float(value)
    else:
        s = text(value).replace(",", "").replace(" ", "").removesuffix("元")
        if not _NUM_RE.match(s):
            raise ValueError(f"not a number: {s!r}")
        x = float(s)
    if x != x or x < 0:
        raise ValueError(f"negative or NaN: {x}")
    return x


def parse_int(value: object) -> int:
    """An integer ≥ 0 (12, 12.0, '12', '12人')."""
    if not isinstance(value, (int, float)):
        value = text(value).removesuffix("人")
    x = parse_number(value)
    if not x.is_integer():
        raise ValueError(f"not an integer: {x}")
    return int(x)


def parse_rate(value: object) -> float:
    """出勤率: '95%', 0.95 or 95 → fraction 0..1. Values ≤ 1 are fractions, else percent."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        x = float(value)
    else:
        s = text(value).replace(" ", "")
        if s.endswith("%"):
            x = parse_number(s[:-1]) / 100.0
            if x > 1:
                raise ValueError(f"over 100%: {s!r}")
            return x
        x = parse_number(s)
    if x != x or x < 0:
        raise ValueError(f"negative: {x}")
    if x > 1:
        x = x / 100.0
    if x > 1:
        raise ValueError(f"over 100%: {value!r}")
    return x
