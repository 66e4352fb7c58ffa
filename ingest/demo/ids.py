"""Valid identifiers: resident IDs (GB 11643), USCCs (GB 32100), phone numbers."""

from __future__ import annotations

import random
from datetime import date

from stdnum.cn import ric, uscc

# Issuing area codes. 310115 (浦东新区, from 1992) and 310225 (former 南汇县) are the
# "area code trap" of sources.md for residents born before the county existed.
LOCAL_AREAS = ["310115"] * 14 + ["310225"] * 3 + ["310110", "310107", "310230"]
OTHER_AREAS = [
    "320621", "320382", "340121", "341221", "411302", "412722", "510922", "511321",
    "362321", "420982", "430524", "370883", "130425", "230183", "500228", "610581",
]  # fmt: skip

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def id_check(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits.

    stdnum's `ric.calc_check_digit` expects the full 18-character number (it drops the
    last character), so a placeholder is appended.
    """
    return ric.calc_check_digit(first17 + "0")


class IdFactory:
    """Unique resident IDs with correct check digits; a share ends in X by construction."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def resident_id(self, birth: date, male: bool, local: bool = True) -> str:
        rng = self.rng
        area = rng.choice(LOCAL_AREAS) if local else rng.choice(OTHER_AREAS)
        born = birth.strftime("%Y%m%d")
        while True:
            seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
            body = f"{area}{born}{seq:03d}"
            full = body + id_check(body)
            if full not in self.used:
                self.used.add(full)
                return full


def corrupt_check(id18: str) -> str:
    """The same ID with a wrong check character (for deliberate bad_id rows)."""
    right = id18[-1]
    for c in "0123456789X":
        if c != right:
            wrong = c
            break
    return id18[:-1] + wrong


def phone(rng: random.Random) -> str:
    prefix = rng.choice(["138", "139", "158", "159", "186", "187", "135", "136", "137", "150",
                         "151", "152", "188", "189", "133", "153", "177", "180", "181", "199"])  # fmt: skip
    return prefix + f"{rng.randrange(0, 10**8):08d}"


def landline(rng: random.Random) -> str:
    return f"021-5{rng.randrange(0, 10**7):07d}"


def org_code(rng: random.Random) -> str:
    """An 8-character organisation code body plus its GB 11714 check character."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    total = sum(int(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


class UsccFactory:
    """Unique USCCs valid per GB 32100 (check character from python-stdnum)."""

    PREFIX = {
        "有限责任公司": "91",
        "合伙企业": "91",
        "其他": "91",
        "个体工商户": "92",
        "农民专业合作社": "93",
        "民办非企业单位": "52",
    }

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def make(self, org_type: str = "有限责任公司", area: str = "310115") -> str:
        while True:
            oc = org_code(self.rng)
            if "X" in oc:  # 'X' is valid in USCC too, but keep codes simple
                continue
            body = self.PREFIX.get(org_type, "91") + area + oc
            code = body + uscc.calc_check_digit(body)
            if code not in self.used:
                self.used.add(code)
                return code
