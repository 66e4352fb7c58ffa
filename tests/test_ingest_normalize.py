"""Normalisers (sources.md "Cell values"): property-based and example tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from corpus.ingest_builders import make_id
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from ingest import normalize as nz

dates = st.dates(min_value=date(1950, 1, 1), max_value=date(2030, 12, 31))


def text_forms(d: date) -> list[str]:
    return [
        f"{d:%Y-%m-%d}",
        f"{d.year}/{d.month}/{d.day}",
        f"{d.year}.{d.month}.{d.day}",
        f"{d.year}年{d.month}月{d.day}日",
        f"{d:%Y%m%d}",
        f"{d.year}-{d.month}-{d.day}",
    ]


@given(dates)
def test_every_listed_date_form_round_trips(d: date) -> None:
    for form in text_forms(d):
        assert nz.parse_date(form) == d, form
    assert nz.parse_date(d) == d
    assert nz.parse_date(datetime(d.year, d.month, d.day, 0, 0)) == d
    serial = (d - date(1899, 12, 30)).days
    assert nz.parse_date(float(serial)) == d
    assert nz.parse_date(serial) == d
    # full-width digits (NFKC) are fine too
    assert (
        nz.parse_date(
            f"{d:%Y-%m-%d}".translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
        )
        == d
    )


@given(
    st.sampled_from(
        [
            "2023-13-01",
            "2023-02-30",
            "2023/5",
            "5/1/2023",
            "01.05.2023",
            "2023年5月",
            "二〇二三年五月一日",
            "abc",
            "2023-05-01x",
            "202305011",
            "2023 05 01",
            "20231301",
            "2023.5.1.",
            "true",
        ]
    )
)
def test_invalid_date_forms_rejected(s: str) -> None:
    with pytest.raises(ValueError):
        nz.parse_date(s)


def test_numbers_typed_as_digits() -> None:
    assert nz.parse_date(20230501.0) == date(2023, 5, 1)
    assert nz.parse_date(20230501) == date(2023, 5, 1)
    assert nz.parse_month(202406.0) == date(2024, 6, 1)
    assert nz.parse_month(45458.0) == date(2024, 6, 1)  # serial of 2024-06-15
    with pytest.raises(ValueError):
        nz.parse_date(20231301.0)


def test_bool_is_not_a_date() -> None:
    with pytest.raises(ValueError):
        nz.parse_date(True)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)))
def test_month_forms(d: date) -> None:
    first = d.replace(day=1)
    for form in (f"{d:%Y-%m}", f"{d.year}年{d.month}月", f"{d:%Y%m}", d, f"{d:%Y-%m-%d}"):
        assert nz.parse_month(form) == first, form
    assert nz.month_end(first) == (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


@pytest.mark.parametrize("bad", ["2024-13", "2024年13月", "202413", "2024", "六月", ""])
def test_bad_months(bad: str) -> None:
    with pytest.raises(ValueError):
        nz.parse_month(bad)


# ---------------------------------------------------------------- IDs

birth_dates = st.dates(min_value=date(1930, 1, 1), max_value=date(2020, 12, 31))
areas = st.sampled_from(["310115", "310225", "110101", "440305", "650102", "820000", "710000"])


@given(birth_dates, areas, st.integers(0, 999))
def test_generated_valid_ids_pass(born: date, area: str, seq: int) -> None:
    pid = make_id(born, area, seq)
    assert nz.normalise_id(pid) == pid
    assert nz.normalise_id(pid.lower()) == pid  # lower-case x stored upper-case
    assert nz.sex_from_id(pid) == ("男" if seq % 2 else "女")


@given(birth_dates, areas, st.integers(0, 999), st.integers(0, 17), st.integers(1, 9))
def test_any_single_digit_change_fails(
    born: date, area: str, seq: int, pos: int, delta: int
) -> None:
    pid = make_id(born, area, seq)
    digits = "0123456789X" if pos == 17 else "0123456789"
    old = digits.index(pid[pos])
    new = digits[(old + delta) % len(digits)]
    changed = pid[:pos] + new + pid[pos + 1 :]
    with pytest.raises(nz.IdError):
        nz.normalise_id(changed)


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)), areas, st.integers(0, 999)
)
def test_15_digit_ids_converted(born: date, area: str, seq: int) -> None:
    id15 = f"{area}{born:%y%m%d}{seq:03d}"
    id18 = nz.normalise_id(id15)
    assert id18 == make_id(born, area, seq)
    assert ric.calc_check_digit(id18) == id18[17]


def test_id_area_code_trap() -> None:
    """A 1980-born resident with 310115 (浦东 dates from 1992) and a 310225 (南汇县) ID pass."""
    a = make_id(date(1980, 3, 4), "310115", 123)
    b = make_id(date(1975, 7, 8), "310225", 456)
    assert not ric.is_valid(a)  # the trap: stdnum's own validate rejects it
    assert nz.normalise_id(a) == a
    assert nz.normalise_id(b) == b


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("", "为空"),
        ("12345", "位数错误"),
        ("99011519800101123X", "地区码错误"),
        ("31011519801301123X", "出生日期无效"),
        ("3101151980010112A4", "格式错误"),
    ],
)
def test_bad_ids(bad: str, reason: str) -> None:
    with pytest.raises(nz.IdError) as exc:
        nz.normalise_id(bad)
    assert exc.value.reason == reason


def test_future_birth_date_rejected() -> None:
    pid = make_id(date(2030, 1, 1))
    with pytest.raises(nz.IdError):
        nz.normalise_id(pid, today=date(2026, 1, 1))


def test_id_with_spaces_and_fullwidth() -> None:
    pid = make_id(date(1980, 1, 1), seq=1)
    spaced = f" {pid[:6]} {pid[6:14]} {pid[14:]} "
    assert nz.normalise_id(spaced) == pid
    assert (
        nz.normalise_id(pid.translate(str.maketrans("0123456789", "０１２３４５６７８９"))) == pid
    )


# ---------------------------------------------------------------- tags, statuses, others

tag_lists = st.lists(st.sampled_from(nz.TAGS), min_size=0, max_size=5, unique=True)
separators = st.sampled_from(["、", "，", ",", ";", "；", "/", " ", " 、 "])


@given(tag_lists, separators)
def test_tags_any_separator(tags: list[str], sep: str) -> None:
    known, unknown = nz.split_tags(sep.join(tags))
    assert known == tags
    assert unknown == []
    assert nz.tags_column(known) == ("|" + "|".join(tags) + "|" if tags else "")


def test_unknown_tag_reported() -> None:
    assert nz.split_tags("残疾人、外星人，退役军人") == (["残疾人", "退役军人"], ["外星人"])
    assert nz.split_tags("/") == ([], [])


@given(st.sampled_from(sorted(nz.STATUS_MAP)))
def test_every_status_synonym_maps_to_canonical(s: str) -> None:
    canonical = nz.normalise_status(s)
    assert canonical in nz.STATUS_SYNONYMS
    assert s == canonical or s in nz.STATUS_SYNONYMS[canonical]
    assert nz.normalise_status(f" {s} ") == canonical


def test_status_table() -> None:
    assert nz.normalise_status("在岗") == "单位就业"
    assert nz.normalise_status("个体经营") == "自主创业"
    assert nz.normalise_status("公益岗") == "公益性岗位"
    assert nz.normalise_status("实际失业") == "未就业"
    assert nz.normalise_status("离退休") == "退休"
    assert nz.normalise_status("无劳动能力") == "丧失劳动能力"
    assert nz.normalise_status("参军") == "服兵役"
    for bad in ("打工", "就业", "失 业 中"):
        with pytest.raises(ValueError):
            nz.normalise_status(bad)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("是", True),
        ("否", False),
        ("Y", True),
        ("n", False),
        ("1", True),
        (0.0, False),
        ("√", True),
        ("×", False),
        (True, True),
    ],
)
def test_bool(raw: object, expected: bool) -> None:
    assert nz.parse_bool(raw) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("95%", 0.95),
        (0.95, 0.95),
        ("95", 0.95),
        (95, 0.95),
        ("100%", 1.0),
        ("0", 0.0),
        ("0.5", 0.5),
    ],
)
def test_rate(raw: object, expected: float) -> None:
    assert nz.parse_rate(raw) == pytest.approx(expected)


@pytest.mark.parametrize("bad", ["120%", "101", "-5", "abc"])
def test_bad_rate(bad: str) -> None:
    with pytest.raises(ValueError):
        nz.parse_rate(bad)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "13812345678"),
        (13812345678.0, "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("021-58681234", "02158681234"),
        ("58681234", "58681234"),
        ("+86 13812345678", "13812345678"),
    ],
)
def test_phone(raw: object, expected: str) -> None:
    assert nz.normalise_phone(raw) == expected


@pytest.mark.parametrize("bad", ["1381234567", "23812345678", "12345", "电话"])
def test_bad_phone(bad: str) -> None:
    with pytest.raises(ValueError):
        nz.normalise_phone(bad)


def test_column_names() -> None:
    assert nz.column_name("身份证号码*") == "身份证号码"
    assert nz.column_name("＊姓 名（必填）") == "姓名"
    assert nz.column_name("就业\n日期\r\n(YYYY-MM-DD)") == "就业日期"
    assert nz.column_name("ＩＤ") == "ID"


@settings(max_examples=50)
@given(st.sampled_from(["/", "-", "—", "无", "空", " / "]))
def test_placeholders_empty(p: str) -> None:
    assert nz.is_empty(p)
    assert not nz.is_empty(p, placeholders=False) or p.strip() == ""


def test_numbers() -> None:
    assert nz.parse_int("12") == 12
    assert nz.parse_int(12.0) == 12
    assert nz.parse_number("1,000元") == 1000.0
    for bad in ("-1", "1.5"):
        with pytest.raises(ValueError):
            nz.parse_int(bad)
