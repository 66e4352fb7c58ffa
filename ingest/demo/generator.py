"""Seeded, deterministic synthetic inbox for 高桥镇 (sources.md): the public entry point.

    generate_inbox(inbox, scale=40, seed=2022, start="2022-01", end=None, messy=True)

Simulates the population month by month from 2019-01 (the referral logs and start-up
support start then) and writes, from `start` to `end`:

* one roster workbook (人员台账 + 推荐上岗记录) per village per month,
* 一企一册 register exports at every year end and at the start of the last month,
* training exports per half-year (GB18030 CSV, UTF-8-BOM CSV, xlsx in turn),
* with messy=True, the deliberate mess of docs/DEMO_DATA.md.
"""

from __future__ import annotations

import copy
import csv
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from faker import Faker

from ingest.demo import xlsx as X
from ingest.demo.mess import village_style
from ingest.demo.population import World, add_months, month_end
from ingest.demo.writers import Injected, RosterWriter, set_mtime, write_register, write_training
from yiye.config import PROJECT_ROOT, today_shanghai

VILLAGES_CSV = PROJECT_ROOT / "dbt_project" / "seeds" / "villages.csv"
SIM_START = date(2019, 1, 1)


@dataclass
class DemoSummary:
    files: list[Path]
    villages: int
    months: int
    persons: int
    roster_rows: int
    referral_rows: int = 0
    enterprises: int = 0
    support_records: int = 0
    vacancies: int = 0
    training_rows: int = 0
    training_classes: int = 0
    register_exports: list[date] = field(default_factory=list)
    injected: list[Injected] = field(default_factory=list)
    missing: tuple[str, date] | None = None
    resubmitted: tuple[str, date] | None = None
    rejected_files: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows_written(self) -> int:
        return (self.roster_rows + self.referral_rows + self.enterprises + self.support_records
                + self.vacancies + self.training_rows)  # fmt: skip


def read_villages(path: Path = VILLAGES_CSV) -> list[tuple[str, str, str]]:
    with path.open(encoding="utf-8") as fh:
        return [
            (r["village_code"], r["village_name"], r["village_type"]) for r in csv.DictReader(fh)
        ]


def parse_month(value: str | date) -> date:
    if isinstance(value, date):
        return date(value.year, value.month, 1)
    y, m = value.strip().split("-")[:2]
    return date(int(y), int(m), 1)


def _name_pools(seed: int) -> tuple[list[str], list[str], list[str]]:
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    males = sorted({fake.last_name() + fake.first_name_male() for _ in range(3000)})
    females = sorted({fake.last_name() + fake.first_name_female() for _ in range(3000)})
    companies = sorted({fake.company() for _ in range(4000)})
    random.Random(seed).shuffle(companies)
    return males, females, companies


def generate_inbox(
    inbox: Path,
    *,
    scale: int = 40,
    seed: int = 2022,
    start: str | date = "2022-01",
    end: date | str | None = None,
    messy: bool = True,
    progress: Callable[[str], None] | None = None,
    villages: int | None = None,
) -> DemoSummary:
    """Write a deterministic synthetic inbox; `scale` ≈ roster rows per village per month."""
    t0 = time.perf_counter()
    say = progress or (lambda _msg: None)
    inbox = Path(inbox)
    inbox.mkdir(parents=True, exist_ok=True)
    first = parse_month(start)
    last = parse_month(end if end is not None else today_shanghai())
    if last < first:
        raise ValueError(f"end {last:%Y-%m} is before start {first:%Y-%m}")
    vlist = read_villages()
    if villages is not None:
        vlist = vlist[: max(1, villages)]
    males, females, companies = _name_pools(seed)
    world = World(vlist, scale, seed, males, females, companies)
    sim_start = min(SIM_START, first)
    n_ent = max(5, round(150 * scale / 40 * len(vlist) / 20 * 0.4))
    world.book.seed_history(n_ent, sim_start)
    world._refresh_employers(sim_start)
    world.populate(sim_start)
    rng = random.Random(f"{seed}-files")
    styles = [
        village_style(i, random.Random(f"{seed}-style-{i}"), messy) for i in range(len(vlist))
    ]
    writer = RosterWriter(inbox, messy, seed)
    files: list[Path] = []
    n_months = (last.year - first.year) * 12 + last.month - first.month + 1
    missing = resubmit = None
    if messy and n_months >= 3:
        missing = (rng.randrange(len(vlist)), add_months(first, rng.randrange(1, n_months - 1)))
        resubmit = (rng.randrange(len(vlist)), add_months(first, rng.randrange(1, n_months - 1)))
        if resubmit == missing:
            resubmit = ((resubmit[0] + 1) % len(vlist), resubmit[1])
    exports = [
        date(y, 12, 31)
        for y in range(first.year, last.year + 1)
        if date(y, 12, 31) <= month_end(last)
    ]
    if not exports or exports[-1] != last - timedelta(days=1):
        exports.append(last)  # the latest: state at the previous month end, dated the 1st
    exports.sort()

    m = sim_start
    while m <= last:
        world.step(m)
        if m >= first:
            for v, st in zip(world.villages, styles, strict=True):
                if missing and (v.idx, m) == missing:
                    continue
                if resubmit and (v.idx, m) == resubmit:
                    files.append(writer.write(v, st, m, world.month_no, extra_errors=5))
                    files.append(
                        writer.write(v, st, m, world.month_no, suffix="(更正)", mtime_days=6)
                    )
                    continue
                files.append(writer.write(v, st, m, world.month_no))
            say(f"{m:%Y-%m}: {len(world.villages)} 个村居台账已生成")
        m = add_months(m, 1)

    summary = DemoSummary(
        files=files,
        villages=len(vlist),
        months=n_months,
        persons=len(writer.person_ids),
        roster_rows=writer.roster_rows,
        referral_rows=writer.referral_rows,
        injected=writer.injected,
        missing=(vlist[missing[0]][0], missing[1]) if missing else None,
        resubmitted=(vlist[resubmit[0]][0], resubmit[1]) if resubmit else None,
    )
    upto = month_end(last)
    for ex in exports:
        path, counts = write_register(
            inbox, world.book, world.villages, ex, messy, seed, summary.injected
        )
        files.append(path)
        summary.register_exports.append(ex)
        if ex == exports[-1]:
            summary.enterprises = counts["enterprises"]
            summary.support_records = counts["supports"]
            summary.vacancies = counts["vacancies"]
    say(f"一企一册导出 {len(exports)} 份")
    _write_trainings(inbox, world, first, upto, messy, seed, summary)
    if messy:
        _write_rejects(inbox, first, seed, summary)
    summary.files = sorted(set(files) | set(summary.files))
    summary.seconds = time.perf_counter() - t0
    say(
        f"完成：{len(summary.files)} 个文件，{summary.rows_written} 行，用时 {summary.seconds:.1f} 秒"
    )
    return summary


def _write_trainings(
    inbox: Path, world: World, first: date, upto: date, messy: bool, seed: int, summary: DemoSummary
) -> None:
    groups: dict[tuple[int, int], list] = {}
    for c in world.classes:
        if c.start < first or c.end > upto:
            continue
        groups.setdefault((c.start.year, 1 if c.start.month <= 6 else 2), []).append(c)
    fmts = ["gb18030", "utf-8-sig", "xlsx"]
    for i, (y, half) in enumerate(sorted(groups)):
        classes = groups[(y, half)]
        half_end = date(y, 6, 30) if half == 1 else date(y, 12, 31)
        export = min(half_end, upto) + timedelta(days=10)
        name = f"培训记录导出_{y}{'上' if half == 1 else '下'}半年"
        path, n = write_training(inbox, name, classes, fmts[i % 3], messy, seed,
                                 datetime(export.year, export.month, export.day, 10, 0),
                                 summary.injected, upto)  # fmt: skip
        summary.files.append(path)
        summary.training_rows += n
        summary.training_classes += len(classes)
    if messy and groups:
        # a later correction of one class of the first half-year (same keys → replaces rows)
        first_key = sorted(groups)[0]
        cls = copy.deepcopy(groups[first_key][0])
        for row in cls.rows:  # the correction: missing certificate dates filled in, one fix
            if row.cert_name and row.cert_date is None:
                row.cert_date = cls.end + timedelta(days=20)
        cls.rows[0].attendance = min(1.0, round(cls.rows[0].attendance + 0.05, 2))
        path, n = write_training(inbox, f"培训记录更正_{cls.class_id}", [cls], "utf-8-sig", False, seed,
                                 datetime(upto.year, upto.month, upto.day, 11, 0) + timedelta(days=12),
                                 summary.injected, upto)  # fmt: skip
        summary.files.append(path)
        summary.training_rows += n


def _write_rejects(inbox: Path, first: date, seed: int, summary: DemoSummary) -> None:
    """Whole-file rejections: empty file, legacy .xls junk, unknown village, unknown kind."""
    folder = inbox / "其他"
    folder.mkdir(parents=True, exist_ok=True)
    when = datetime(first.year, first.month, 20, 15, 0)
    empty = folder / "空白台账.xlsx"
    empty.write_bytes(b"")
    xls = folder / f"{first.year - 1}年旧台账.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "旧版台账".encode("gb18030"))
    unknown = folder / "测试村台账.xlsx"
    sh = X.Sheet("人员台账")
    sh.rows.append(X.row(1, X.s("高桥镇测试村就业状况台账")))
    sh.rows.append(X.row(2, X.s("村居代码") + X.s("310115104999") + X.s("村居名称") + X.s("测试村")
                         + X.s("报表期") + X.s(f"{first.year}-{first.month:02d}")))  # fmt: skip
    sh.rows.append(
        X.row(3, "".join(X.s(c) for c in ["序号", "姓名", "身份证号码", "户编号", "就业状态"]))
    )
    sh.rows.append(
        X.row(4, X.n(1) + X.s("测试") + X.s("310115199001011234") + X.s("0001") + X.s("单位就业"))
    )
    X.write_workbook(unknown, [sh])
    other = folder / "会议签到表.xlsx"
    sh = X.Sheet("Sheet1")
    sh.rows.append(X.row(1, X.s("就业工作例会签到表")))
    sh.rows.append(X.row(2, X.s("单位") + X.s("签到")))
    sh.rows.append(X.row(3, X.s("社区事务受理服务中心") + X.s("已到")))
    X.write_workbook(other, [sh])
    for i, p in enumerate([empty, xls, unknown, other]):
        set_mtime(p, when + timedelta(minutes=i))
        summary.rejected_files.append(p)
        summary.files.append(p)
