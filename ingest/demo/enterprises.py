"""The town's enterprises (一企一册): founding, support records, deaths, vacancies."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from ingest.demo.ids import UsccFactory

ORG_TYPES = ["有限责任公司"] * 12 + ["个体工商户"] * 6 + ["合伙企业", "农民专业合作社",
                                                            "民办非企业单位", "其他"]  # fmt: skip
INDUSTRIES = ["制造业", "批发和零售业", "交通运输、仓储和邮政业", "住宿和餐饮业", "信息技术服务",
              "租赁和商务服务业", "居民服务业", "建筑业", "科学研究和技术服务业", "农业"]  # fmt: skip
SUPPORT_TYPES = ["创业培训", "开业指导", "担保贷款", "贴息贷款", "无偿资助", "场地支持", "孵化入驻"]
JOB_TITLES = ["普工", "仓库管理员", "叉车司机", "保洁员", "保安", "收银员", "厨师", "服务员",
              "电工", "焊工", "会计", "文员", "销售代表", "客服专员", "物流专员", "操作工",
              "质检员", "网络运营", "护理员", "快递员"]  # fmt: skip
# Large employers outside the register (refinery, port, chains): employ many residents.
EXTERNAL_EMPLOYERS = [
    ("中国石化上海高桥石油化工有限公司", "310115"),
    ("上海外高桥造船有限公司", "310115"),
    ("上海港外高桥集装箱码头有限公司", "310115"),
    ("上海浦东国际机场物流有限公司", "310115"),
    ("上海市浦东新区高桥镇社区卫生服务中心", "310115"),
    ("上海联华超市有限公司", "310000"),
    ("上海顺丰速运有限公司", "310000"),
    ("上海申通地铁运营有限公司", "310000"),
]


@dataclass
class Support:
    date: date
    kind: str
    amount: int
    jobs: int


@dataclass
class Vacancy:
    title: str
    openings: int
    salary_min: int | None
    salary_max: int | None
    posted: date
    closing: date | None
    final_status: str  # status once closed


@dataclass
class Enterprise:
    uscc: str
    name: str
    org_type: str
    founded: date
    village: int | None  # index into villages; None = unattributed
    industry: str
    headcount: int
    end_status: str | None = None  # 注销 | 吊销 | 迁出
    end_date: date | None = None
    founder_name: str | None = None
    founder_id: str | None = None
    supports: list[Support] = field(default_factory=list)
    vacancies: list[Vacancy] = field(default_factory=list)

    def alive(self, at: date) -> bool:
        return self.founded <= at and (self.end_date is None or self.end_date > at)


def _rand_date(rng: random.Random, lo: date, hi: date) -> date:
    return lo + timedelta(days=rng.randrange(max(1, (hi - lo).days)))


class EnterpriseBook:
    def __init__(self, rng: random.Random, company_names: list[str], n_villages: int):
        self.rng = rng
        self.usccs = UsccFactory(rng)
        self.names = company_names
        self.n_villages = n_villages
        self.items: list[Enterprise] = []
        self.external = [
            (name, self.usccs.make("有限责任公司", area)) for name, area in EXTERNAL_EMPLOYERS
        ]
        self._name_i = 0

    def _name(self, org_type: str) -> str:
        base = self.names[self._name_i % len(self.names)]
        k = self._name_i // len(self.names)
        self._name_i += 1
        if org_type == "个体工商户":
            base = base.replace("有限公司", "").replace("科技", "")[:6] + "经营部"
        elif org_type == "农民专业合作社":
            base = base[:4] + "农业专业合作社"
        elif org_type == "民办非企业单位":
            base = base[:4] + "社区服务中心"
        elif org_type == "合伙企业":
            base = base.replace("有限公司", "") + "（有限合伙）"
        return base if k == 0 else f"{base}{k + 1}分部"

    def create(self, founded: date, village: int | None = None) -> Enterprise:
        rng = self.rng
        org = rng.choice(ORG_TYPES)
        if village is None and rng.random() < 0.92:
            village = rng.randrange(self.n_villages)
        e = Enterprise(
            uscc=self.usccs.make(org),
            name=self._name(org),
            org_type=org,
            founded=founded,
            village=village,
            industry=rng.choice(INDUSTRIES),
            headcount=rng.choice([0, 1, 2, 3, 5, 8, 12, 20, 35, 60, 120]),
        )
        self.items.append(e)
        return e

    def seed_history(self, n: int, before: date) -> None:
        """Enterprises founded 1995..before; a few already closed before `before`."""
        rng = self.rng
        for _ in range(n):
            e = self.create(_rand_date(rng, date(1995, 1, 1), before))
            if rng.random() < 0.08:
                e.end_date = _rand_date(
                    rng, e.founded + timedelta(days=200), before + timedelta(days=400)
                )
                if e.end_date >= before:
                    e.end_date = before - timedelta(days=rng.randrange(1, 300))
                if e.end_date <= e.founded:
                    e.end_date = None
                else:
                    e.end_status = rng.choice(["注销", "注销", "吊销", "迁出"])

    def support(self, e: Enterprise, when: date, founder_name: str, founder_id: str) -> None:
        rng = self.rng
        e.founder_name, e.founder_id = founder_name, founder_id
        kinds = rng.sample(SUPPORT_TYPES, k=rng.choice([1, 1, 2, 3]))
        d = when
        for kind in kinds:
            amount = {"担保贷款": 200000, "贴息贷款": 100000, "无偿资助": 20000}.get(kind, 0)
            if amount:
                amount = rng.randrange(amount // 4, amount + 1, 1000)
            e.supports.append(Support(d, kind, amount, rng.choice([1, 1, 2, 3, 5])))
            d = d + timedelta(days=rng.randrange(10, 120))

    def step(self, month_start: date, month_end: date) -> None:
        """Deaths, migrations and vacancies in one month."""
        rng = self.rng
        days = (month_end - month_start).days + 1
        for e in self.items:
            if e.end_date is not None or e.founded > month_end:
                continue
            young = bool(e.supports) and (month_start - e.founded).days < 730
            hazard = 0.011 if young else 0.0035
            r = rng.random()
            if r < hazard:
                e.end_date = month_start + timedelta(days=rng.randrange(days))
                if e.end_date <= e.founded:
                    e.end_date = e.founded + timedelta(days=1)
                e.end_status = rng.choices(["注销", "吊销", "迁出"], weights=[65, 15, 20])[0]
            elif r < hazard + 0.012 * (1 + e.headcount / 30):
                posted = month_start + timedelta(days=rng.randrange(days))
                lo = rng.randrange(3500, 8000, 500)
                e.vacancies.append(
                    Vacancy(
                        title=rng.choice(JOB_TITLES),
                        openings=rng.choice([1, 1, 2, 3, 5, 10]),
                        salary_min=lo,
                        salary_max=lo + rng.randrange(0, 5000, 500),
                        posted=posted,
                        closing=posted + timedelta(days=rng.choice([30, 60, 90]))
                        if rng.random() < 0.8
                        else None,
                        final_status=rng.choice(["已招满", "已关闭"]),
                    )
                )

    def employers(self, at: date) -> list[tuple[str, str]]:
        """(name, uscc) of employers hiring at `at`: living enterprises with staff, plus big ones."""
        local = [(e.name, e.uscc) for e in self.items if e.headcount >= 5 and e.alive(at)]
        return self.external * 6 + local
