"""The simulated population: households, persons and a seeded monthly state machine.

One `World` holds every village's households, the referral logs, the training classes and
the enterprise book; `step(month)` moves everything forward one calendar month.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from ingest.demo.enterprises import JOB_TITLES, EnterpriseBook
from ingest.demo.ids import IdFactory, landline, phone

EMPLOYED = frozenset({"单位就业", "灵活就业", "自主创业", "公益性岗位"})
TAG_ORDER = ["就业困难人员", "零就业家庭成员", "就业困难高校毕业生", "离校未就业高校毕业生",
             "长期失业青年", "退役军人", "残疾人", "低保家庭成员"]  # fmt: skip
EDUCATION = ["研究生", "大学本科", "大专", "高中/中专", "初中及以下"]
HIGHER_EDU = frozenset({"研究生", "大学本科", "大专"})
TRAINING_CATEGORIES = {
    "职业技能培训": ["育婴员", "养老护理员", "中式烹调师", "电工", "焊工", "美容师"],
    "创业培训": ["创办你的企业（SYB）", "网络创业培训", "创业模拟实训"],
    "岗位技能提升培训": ["叉车司机技能提升", "危化品安全操作提升", "仓储物流管理提升"],
    "定单定岗培训": ["港区理货员定岗班", "石化操作工定单班", "物流分拣员定岗班"],
    "专项职业能力培训": ["电子商务运营", "西式面点制作", "短视频制作"],
}
CERT_LEVELS = {"职业技能培训": ["初级", "中级", "高级"], "专项职业能力培训": ["专项"],
               "岗位技能提升培训": ["中级", "高级"]}  # fmt: skip
REMARKS = ["", "", "", "", "", "", "", "", "长期外出", "联系不上", "已走访", "家中有老人需照顾"]


def add_months(d: date, k: int) -> date:
    y, m = divmod(d.month - 1 + k, 12)
    y += d.year
    m += 1
    last = month_end(date(y, m, 1)).day
    return date(y, m, min(d.day, last))


def month_end(m: date) -> date:
    nxt = date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


@dataclass(eq=False)
class Referral:
    village: int
    name: str
    id_number: str
    ref_date: date
    employer: str
    uscc: str | None
    job: str
    placed: bool
    start: date | None
    end: date | None
    referrer: str
    frag: str | None = None


@dataclass(eq=False)
class Person:
    pid: int
    name: str
    male: bool
    birth: date
    id_number: str
    phone: str
    relation: str
    hukou: str
    education: str
    status: str
    household: Household | None = None
    tags: set[str] = field(default_factory=set)
    employer: str | None = None
    uscc: str | None = None
    emp_date: date | None = None
    unemp_date: date | None = None
    unemp_since: date | None = None
    wish: str = "有"
    remark: str = ""
    line: Referral | None = None
    trained_until: date | None = None
    service_end: date | None = None
    grad_age: int = 22
    retire_at: date = date(2100, 1, 1)
    frag: str | None = None
    frag_layout: int = -1

    def age(self, at: date) -> int:
        b = self.birth
        return at.year - b.year - ((at.month, at.day) < (b.month, b.day))

    def retire_age(self) -> int:
        return 60 if self.male else 55

    def labour(self) -> str:
        if self.status in EMPLOYED:
            return "E"
        if self.status == "登记失业" or (self.status == "未就业" and self.wish == "有"):
            return "U"
        return "O"

    def touch(self) -> None:
        self.frag = None


@dataclass(eq=False)
class Household:
    village: int
    no: str
    members: list[Person] = field(default_factory=list)
    dirty: bool = False


@dataclass(eq=False)
class Village:
    idx: int
    code: str
    name: str
    vtype: str
    households: list[Household] = field(default_factory=list)
    next_hh: int = 1
    log: list[Referral] = field(default_factory=list)
    referrers: list[str] = field(default_factory=list)
    ghosts: list[tuple[Person, str, int]] = field(default_factory=list)  # person, frag, last month#
    target: int = 40

    def persons(self) -> list[Person]:
        return [p for h in self.households for p in h.members]


@dataclass(eq=False)
class TrainingRow:
    person_name: str
    id_number: str
    attendance: float
    completed: bool
    cert_name: str | None
    cert_level: str | None
    cert_date: date | None


@dataclass(eq=False)
class TrainingClass:
    class_id: str
    course: str
    category: str
    partner_uscc: str | None
    start: date
    end: date
    rows: list[TrainingRow] = field(default_factory=list)


class World:
    def __init__(
        self,
        villages: list[tuple[str, str, str]],
        scale: int,
        seed: int,
        male_names: list[str],
        female_names: list[str],
        company_names: list[str],
    ):
        self.rng = random.Random(f"{seed}-population")
        self.scale = scale
        self.ids = IdFactory(random.Random(f"{seed}-ids"))
        # own stream, so the rest of the simulation draws the same numbers as before
        self.grad_rng = random.Random(f"{seed}-hard-graduates")
        self.male_names = male_names
        self.female_names = female_names
        self.villages = [Village(i, c, n, t, target=scale) for i, (c, n, t) in enumerate(villages)]
        for v in self.villages:
            v.referrers = [self._name(self.rng.random() < 0.4) for _ in range(2)]
        self.book = EnterpriseBook(
            random.Random(f"{seed}-enterprises"), company_names, len(villages)
        )
        self.classes: list[TrainingClass] = []
        self._pid = 0
        self._class_seq: dict[int, int] = {}
        self._employers: list[tuple[str, str]] = []
        self.month_no = 0

    # ---------------------------------------------------------------- creation
    def _name(self, male: bool) -> str:
        pool = self.male_names if male else self.female_names
        return pool[self.rng.randrange(len(pool))]

    def _person(self, at: date, age: int, male: bool, relation: str, local: bool) -> Person:
        rng = self.rng
        birth = date(at.year - age, 1, 1) + timedelta(days=rng.randrange(365))
        if age >= 35 and rng.random() < 0.35:
            local = True  # older locals: 310115/310225 issued to people born before 1992
        self._pid += 1
        edu_w = [2, 18, 20, 30, 30] if age < 45 else [0.5, 5, 8, 30, 56]
        p = Person(
            pid=self._pid,
            name=self._name(male),
            male=male,
            birth=birth,
            id_number=self.ids.resident_id(birth, male, local),
            phone=landline(rng) if rng.random() < 0.06 else phone(rng),
            relation=relation,
            hukou=(rng.choice(["本市城镇", "本市农村"]) if local else "外省市"),
            education=rng.choices(EDUCATION, weights=edu_w)[0],
            status="其他",
            remark=rng.choice(REMARKS),
        )
        p.retire_at = add_months(birth, 12 * p.retire_age())
        p.grad_age = {"研究生": 25, "大学本科": 22, "大专": 21}.get(p.education, 19)
        if rng.random() < 0.02:
            p.tags.add("残疾人")
        return p

    def _past(self, p: Person, at: date, max_days: int) -> date:
        """A start date up to `max_days` before `at`, not before the person turned 16."""
        when = at - timedelta(days=self.rng.randrange(30, max_days))
        return max(when, min(add_months(p.birth, 192), at - timedelta(days=1)))

    def _initial_status(self, p: Person, at: date) -> None:
        rng = self.rng
        age = p.age(at)
        r = rng.random()
        if age < p.grad_age:
            if age >= 18 and r < 0.03:
                p.status, p.service_end = "服兵役", add_months(at, rng.randrange(1, 24))
            elif r < 0.9:
                p.status = "在校学生"
            else:
                self._employ(p, self._past(p, at, 900), initial=True)
        elif age >= p.retire_age():
            if r < 0.94:
                p.status = "退休"
            else:
                self._employ(p, self._past(p, at, 1500), initial=True)
        elif r < 0.86:
            self._employ(p, self._past(p, at, 6000), initial=True)
        elif r < 0.905:
            self._unemploy(p, at - timedelta(days=rng.randrange(10, 400)), registered=True)
        elif r < 0.925:
            self._unemploy(p, at - timedelta(days=rng.randrange(10, 400)), registered=False)
        elif r < 0.965:
            p.status, p.wish = "未就业", "无"
        elif r < 0.98:
            p.status = "丧失劳动能力"
        else:
            p.status = "其他"

    def new_household(self, v: Village, at: date, arriving: bool = False) -> Household:
        rng = self.rng
        h = Household(v.idx, f"{v.next_hh:04d}")
        v.next_hh += 1
        local = rng.random() < (0.6 if arriving else 0.85)
        head_age = rng.randrange(24, 78)
        male = rng.random() < 0.7
        members = [self._person(at, head_age, male, "户主", local)]
        if rng.random() < 0.8:
            age = max(20, head_age + rng.randrange(-5, 4))
            members.append(self._person(at, age, not male, "配偶", local))
        for _ in range(rng.choice([0, 0, 1, 1, 1, 2])):
            age = head_age - rng.randrange(22, 34)
            if age >= 16:
                son = rng.random() < 0.5
                members.append(self._person(at, age, son, "子" if son else "女", local))
        if head_age < 50 and rng.random() < 0.15:
            members.append(self._person(at, head_age + rng.randrange(24, 32), rng.random() < 0.5,
                                        "父母", local))  # fmt: skip
        for p in members:
            p.household = h
            self._initial_status(p, at)
        h.members = members
        if rng.random() < 0.015:
            for p in members:
                p.tags.add("低保家庭成员")
        v.households.append(h)
        return h

    def populate(self, at: date) -> None:
        for v in self.villages:
            size = sum(len(h.members) for h in v.households)
            while size < v.target:
                size += len(self.new_household(v, at).members)
        # A handful of zero-employment households at the start: one worker, unemployed.
        for v in self.villages:
            for h in v.households:
                self._check_zero(h, at, prob=1.0)

    # ---------------------------------------------------------------- transitions
    def _employ(
        self, p: Person, when: date, initial: bool = False, via_referral: bool = False
    ) -> None:
        rng = self.rng
        kind_r = rng.random()
        hard = "就业困难人员" in p.tags or "就业困难高校毕业生" in p.tags
        if kind_r < (0.25 if hard else 0.03):
            status = "公益性岗位"
        elif kind_r < 0.22 + (0.25 if hard else 0.03):
            status = "灵活就业"
        elif kind_r < 0.27 + (0.25 if hard else 0.03) and p.age(when) >= 22:
            status = "自主创业"
        else:
            status = "单位就业"
        p.status = status
        p.emp_date = when
        p.unemp_date = None
        p.unemp_since = None
        p.wish = "有"
        p.line = None
        if status == "灵活就业":
            p.employer, p.uscc = (
                (rng.choice(["", "", "外卖配送", "网约车", "家政服务"]) or None),
                None,
            )
        elif status == "自主创业":
            e = self.book.create(when, p.household.village if p.household else None)
            p.employer, p.uscc = e.name, e.uscc
            if not initial and when >= date(2019, 1, 1) and rng.random() < 0.8:
                self.book.support(
                    e, when + timedelta(days=rng.randrange(0, 60)), p.name, p.id_number
                )
        elif status == "公益性岗位":
            p.employer, p.uscc = "高桥镇社区事务受理服务中心", None
        else:
            pool = self._employers or self.book.external
            p.employer, p.uscc = pool[rng.randrange(len(pool))]
            if rng.random() < 0.08:
                p.uscc = None
        if via_referral and status in ("单位就业", "公益性岗位") and p.household is not None:
            v = self.villages[p.household.village]
            ref = max(date(2019, 1, 1), when - timedelta(days=rng.randrange(3, 30)))
            line = Referral(v.idx, p.name, p.id_number, ref, p.employer or "", p.uscc,
                            rng.choice(JOB_TITLES), True, max(ref, when), None,
                            v.referrers[rng.randrange(2)])  # fmt: skip
            v.log.append(line)
            p.line = line
        p.touch()

    def _unemploy(self, p: Person, when: date, registered: bool) -> None:
        rng = self.rng
        if p.line is not None and p.line.end is None and p.line.start and when > p.line.start:
            p.line.end = when
            p.line.frag = None
        p.line = None
        p.status = "登记失业" if registered else "未就业"
        p.wish = "有"
        p.employer = p.uscc = p.emp_date = None
        p.unemp_since = when
        p.unemp_date = (
            min(when + timedelta(days=rng.randrange(0, 20)), month_end(when))
            if registered
            else None
        )
        age = p.age(when)
        if (p.male and age >= 50) or (not p.male and age >= 40) or "残疾人" in p.tags:
            if rng.random() < 0.6:
                p.tags.add("就业困难人员")
        p.touch()

    def _retire(self, p: Person, when: date) -> None:
        if p.line is not None and p.line.end is None and p.line.start and when > p.line.start:
            p.line.end = when
            p.line.frag = None
        p.line = None
        p.status = "退休"
        p.employer = p.uscc = p.emp_date = p.unemp_date = p.unemp_since = None
        p.wish = "有"
        p.touch()

    def _check_zero(self, h: Household, at: date, prob: float = 0.85) -> None:
        classes = [p.labour() for p in h.members]
        if "U" in classes and "E" not in classes and self.rng.random() < prob:
            for p in h.members:
                if p.labour() == "U" and "零就业家庭成员" not in p.tags:
                    p.tags.add("零就业家庭成员")
                    p.touch()

    def _refresh_employers(self, at: date) -> None:
        self._employers = self.book.employers(at)

    def step(self, ms: date) -> None:
        """Advance every village by the month starting at `ms`."""
        rng = self.rng
        me = month_end(ms)
        days = me.day
        self.month_no += 1
        self._refresh_employers(ms)
        self.book.step(ms, me)
        unemployed: list[Person] = []
        employed: list[Person] = []
        for v in self.villages:
            for h in list(v.households):
                # household-level: move to another village / leave the town
                hr = rng.random()
                if hr < 0.0015 and len(self.villages) > 1:
                    self._move(h, v, ms)
                    continue
                if hr < 0.0021:
                    v.households.remove(h)
                    continue
                changed = False
                for p in list(h.members):
                    st = p.status
                    r = rng.random()
                    if st in EMPLOYED:
                        retired = me >= p.retire_at
                        if retired and (st != "自主创业" or r < 0.05):
                            self._retire(p, ms + timedelta(days=int(rng.random() * days)))
                            changed = True
                            continue
                        hz = 0.007
                        if p.line is not None and (ms - p.line.start).days < 183:
                            hz = 0.045
                        elif st == "公益性岗位":
                            hz = 0.012
                        if r < hz:
                            when = ms + timedelta(days=int(rng.random() * days))
                            self._unemploy(p, when, registered=rng.random() < 0.6)
                            changed = True
                        else:
                            employed.append(p)
                    elif st == "登记失业" or (st == "未就业" and p.wish == "有"):
                        when = ms + timedelta(days=int(rng.random() * days))
                        if me >= p.retire_at:
                            self._retire(p, when)
                            changed = True
                            continue
                        rate = 0.14 if st == "登记失业" else 0.10
                        if p.trained_until is not None and p.trained_until >= ms:
                            rate *= 2.0
                        if "零就业家庭成员" in p.tags:
                            rate *= 1.8
                        if "就业困难人员" in p.tags:
                            rate *= 0.85
                        if r < rate:
                            self._employ(p, when, via_referral=rng.random() < 0.6)
                            changed = True
                            continue
                        if r > 0.985:
                            p.wish = "无"
                            p.touch()
                            changed = True
                            continue
                        unemployed.append(p)
                        if rng.random() < 0.1:
                            self._referral_not_placed(v, p, when)
                        months_u = (ms - p.unemp_since).days / 30.4 if p.unemp_since else 0
                        if months_u >= 6 and "长期失业青年" not in p.tags and 16 <= p.age(me) <= 35:
                            if rng.random() < 0.5:
                                p.tags.add("长期失业青年")
                                p.touch()
                        if (months_u >= 4 and "离校未就业高校毕业生" in p.tags
                                and "就业困难高校毕业生" not in p.tags and rng.random() < 0.2):  # fmt: skip
                            p.tags.add("就业困难高校毕业生")
                            p.touch()
                    elif st == "未就业":
                        if me >= p.retire_at:
                            self._retire(p, ms + timedelta(days=int(rng.random() * days)))
                            changed = True
                        elif r < 0.02:
                            p.wish = "有"
                            p.unemp_since = ms + timedelta(days=int(rng.random() * days))
                            p.touch()
                            changed = True
                    elif st == "在校学生":
                        if ms.month == 7 and p.age(me) >= p.grad_age:
                            changed = True
                            when = ms + timedelta(days=int(rng.random() * days))
                            if r < 0.72:
                                self._employ(p, when, via_referral=rng.random() < 0.2)
                            elif r < 0.97:
                                self._unemploy(p, when, registered=rng.random() < 0.3)
                                if p.education in HIGHER_EDU:
                                    p.tags.add("离校未就业高校毕业生")
                            else:
                                p.status, p.service_end = "服兵役", add_months(ms, 24)
                                p.touch()
                    elif st == "服兵役":
                        if p.service_end is not None and ms >= p.service_end:
                            self._unemploy(p, ms + timedelta(days=int(rng.random() * days)), False)
                            p.tags.add("退役军人")
                            changed = True
                    elif st == "退休" and r < 0.01 and p.age(me) >= 75:
                        h.members.remove(p)  # leaves the roster (moves in with family, dies)
                        changed = True
                if changed:
                    self._check_zero(h, ms)
                if not h.members:
                    v.households.remove(h)
                elif ms.month == 9 and rng.random() < 0.01:
                    # a child of the household turns 16 and joins the roster
                    head = h.members[0]
                    if 38 <= head.age(ms) <= 58:
                        son = rng.random() < 0.5
                        kid = self._person(
                            ms, 16, son, "子" if son else "女", head.hukou != "外省市"
                        )
                        kid.status, kid.household = "在校学生", h
                        h.members.append(kid)
            # arrivals keep the village near its (slowly growing) size
            size = sum(len(h.members) for h in v.households)
            goal = v.target * (1 + 0.01 * self.month_no / 12)
            while size < goal and rng.random() < 0.7:
                size += len(self.new_household(v, ms, arriving=True).members)
        self._hard_graduates(ms, unemployed)
        self._new_enterprises(ms, me, employed)
        self._training(ms, me, unemployed, employed)

    def _hard_graduates(self, ms: date, unemployed: list[Person]) -> None:
        """Now and then an unemployed young graduate is recognised as 就业困难高校毕业生 (from a
        低保 or 零就业 family, disabled, long without work...). Graduating students alone are
        too rare in a small demo for kpis.md's hard_to_employ_graduate_placement_rate to have a
        cohort; this keeps a few such persons in every run (a floor, like new enterprises)."""
        rng = self.grad_rng
        lam = max(0.25, 0.4 * self.scale / 40 * len(self.villages) / 20)
        n = int(lam) + (1 if rng.random() < lam - int(lam) else 0)
        for _ in range(n):
            pool = [p for p in unemployed
                    if p.education in HIGHER_EDU and 21 <= p.age(ms) <= 30
                    and "就业困难高校毕业生" not in p.tags]  # fmt: skip
            if not pool:
                return
            p = pool[rng.randrange(len(pool))]
            p.tags.update(("离校未就业高校毕业生", "就业困难高校毕业生"))
            p.touch()

    def _new_enterprises(self, ms: date, me: date, employed: list[Person]) -> None:
        """Start-ups founded this month besides roster persons turning 自主创业."""
        rng = self.rng
        lam = max(0.15, 0.8 * self.scale / 40 * len(self.villages) / 20)
        n = int(lam) + (1 if rng.random() < lam - int(lam) else 0)
        for _ in range(n):
            founded = ms + timedelta(days=rng.randrange(me.day))
            e = self.book.create(founded)
            if rng.random() < 0.6:
                male = rng.random() < 0.6
                age = rng.randrange(23, 55)
                birth = date(ms.year - age, 1, 1) + timedelta(days=rng.randrange(365))
                name = self._name(male)
                founder_id = self.ids.resident_id(birth, male, rng.random() < 0.5)
                self.book.support(
                    e, founded + timedelta(days=rng.randrange(0, 90)), name, founder_id
                )

    def _move(self, h: Household, v: Village, ms: date) -> None:
        rng = self.rng
        others = [w for w in self.villages if w.idx != v.idx]
        w = others[rng.randrange(len(others))]
        v.households.remove(h)
        if rng.random() < 0.5:
            # the old village keeps the household on its roster for 1-3 more months
            for p in h.members:
                if p.frag is not None:
                    v.ghosts.append((p, p.frag, self.month_no + rng.randrange(1, 4)))
        h.village = w.idx
        h.no = f"{w.next_hh:04d}"
        w.next_hh += 1
        w.households.append(h)
        for p in h.members:
            p.touch()

    def _referral_not_placed(self, v: Village, p: Person, when: date) -> None:
        pool = self._employers or self.book.external
        name, uscc = pool[self.rng.randrange(len(pool))]
        line = Referral(v.idx, p.name, p.id_number, max(date(2019, 1, 1), when), name, uscc,
                        self.rng.choice(JOB_TITLES), False, None, None,
                        v.referrers[self.rng.randrange(2)])  # fmt: skip
        v.log.append(line)

    def _training(
        self, ms: date, me: date, unemployed: list[Person], employed: list[Person]
    ) -> None:
        rng = self.rng
        lam = max(0.5, 0.9 * self.scale / 40 * len(self.villages) / 20)
        n_classes = int(lam) + (1 if rng.random() < lam - int(lam) else 0)
        for _ in range(n_classes):
            seq = self._class_seq.get(ms.year, 0) + 1
            self._class_seq[ms.year] = seq
            if seq <= len(TRAINING_CATEGORIES):  # every category runs at least once a year
                category = list(TRAINING_CATEGORIES)[seq - 1]
            else:
                category = rng.choices(list(TRAINING_CATEGORIES), weights=[35, 15, 25, 10, 15])[0]
            start = ms + timedelta(days=rng.randrange(me.day))
            end = start + timedelta(days=rng.randrange(5, 60))
            partner = None
            if category == "定单定岗培训":
                pool = self._employers or self.book.external
                partner = pool[rng.randrange(len(pool))][1]
            c = TrainingClass(f"GQ{ms.year}{seq:04d}", rng.choice(TRAINING_CATEGORIES[category]),
                              category, partner, start, end)  # fmt: skip
            size = rng.randrange(10, 31)
            picks: list[Person] = []
            n_u = min(len(unemployed), rng.randrange(0, max(1, size // 3)))
            picks += rng.sample(unemployed, n_u) if n_u else []
            n_e = min(len(employed), size - n_u - rng.randrange(0, 3))
            picks += rng.sample(employed, max(0, n_e))
            seen: set[str] = set()
            for p in picks:
                if p.id_number in seen:
                    continue
                seen.add(p.id_number)
                c.rows.append(self._trainee_row(category, p.name, p.id_number, end))
                if p.labour() == "U":
                    p.trained_until = add_months(end, 6)
            for _ in range(size - len(picks)):  # trainees from outside the town
                male = rng.random() < 0.5
                age = rng.randrange(20, 50)
                birth = date(ms.year - age, 1, 1) + timedelta(days=rng.randrange(365))
                c.rows.append(self._trainee_row(category, self._name(male),
                                                self.ids.resident_id(birth, male, False), end))  # fmt: skip
            self.classes.append(c)

    def _trainee_row(self, category: str, name: str, id_number: str, end: date) -> TrainingRow:
        rng = self.rng
        completed = rng.random() < 0.92
        attendance = round(rng.uniform(0.85, 1.0) if completed else rng.uniform(0.3, 0.8), 2)
        cert_name = cert_level = cert_date = None
        if completed and category in CERT_LEVELS and rng.random() < 0.8:
            cert_level = rng.choice(CERT_LEVELS[category])
            cert_name = "职业技能等级证书" if cert_level != "专项" else "专项职业能力证书"
            cert_date = None if rng.random() < 0.04 else end + timedelta(days=rng.randrange(10, 45))
        return TrainingRow(name, id_number, attendance, completed, cert_name, cert_level, cert_date)
