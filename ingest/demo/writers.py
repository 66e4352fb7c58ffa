"""Render the simulated world as the files of sources.md (roster, register, training)."""

from __future__ import annotations

import csv
import io
import os
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from ingest.demo import xlsx as X
from ingest.demo.ids import corrupt_check
from ingest.demo.mess import (
    REFERRAL_COLUMNS,
    VillageStyle,
    fmt_date,
    fmt_month,
    text_date,
)
from ingest.demo.population import TAG_ORDER, Person, Referral, TrainingClass, Village, month_end

TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Injected:
    """One deliberately bad row or cell (kind: bad_id, bad_date, …; warn_* = warning only)."""

    file: str
    sheet: str
    row: int
    kind: str


def set_mtime(path: Path, when: datetime) -> None:
    ts = when.replace(tzinfo=TZ).timestamp()
    os.utime(path, (ts, ts))


# ------------------------------------------------------------------ roster rows
def person_cells(p: Person, st: VillageStyle, ov: dict[str, str] | None = None) -> str:
    """The cells of one roster row after 序号, in the village's column order."""
    marker = st.empty_marker
    opt_empty = X.s(marker) if marker else X.EMPTY

    def opt(text: str | None) -> str:
        return X.s(text) if text else opt_empty

    def opt_date(value: date | None) -> str:
        return fmt_date(value, st.date_fmt) if value else opt_empty

    status = p.status
    if status == "未就业" or status == "登记失业":
        wish = "" if (p.wish == "有" and st.wish_blank) else p.wish
    else:
        wish = ""
    tags = st.tag_sep.join(t for t in TAG_ORDER if t in p.tags)
    h = p.household
    cells = {
        "姓名": X.s(p.name),
        "性别": X.s("男" if p.male else "女"),
        "身份证号码": X.s(p.id_number),
        "联系电话": opt(p.phone),
        "户编号": X.s(h.no if h else ""),
        "与户主关系": X.s(p.relation),
        "户籍性质": X.s(p.hukou),
        "文化程度": X.s(p.education),
        "人员类别": opt(tags),
        "就业状态": X.s(st.status_syn.get(status, status)),
        "就业单位": opt(p.employer),
        "单位统一社会信用代码": opt(p.uscc),
        "就业日期": opt_date(p.emp_date),
        "失业登记日期": opt_date(p.unemp_date),
        "就业意愿": X.s(wish),
        "备注": X.s(p.remark),
    }
    if ov:
        cells.update(ov)
    out = "".join(cells[k] for k in st.order)
    if st.extra_column:
        out += X.s(f"第{int(h.no) % 7 + 1 if h and h.no.isdigit() else 1}网格")
    return out


def referral_cells(line: Referral, st: VillageStyle, ov: dict[str, str] | None = None) -> str:
    yes, no = st.yes_no
    cells = {
        "姓名": X.s(line.name),
        "身份证号码": X.s(line.id_number),
        "推荐日期": fmt_date(line.ref_date, st.date_fmt),
        "推荐单位": X.s(line.employer),
        "单位统一社会信用代码": X.s(line.uscc),
        "推荐岗位": X.s(line.job),
        "是否上岗": X.s(yes if line.placed else no),
        "上岗日期": fmt_date(line.start, st.date_fmt),
        "离岗日期": fmt_date(line.end, st.date_fmt),
        "推荐人": X.s(line.referrer),
    }
    if ov:
        cells.update(ov)
    return "".join(cells[k] for k in REFERRAL_COLUMNS)


class RosterWriter:
    """Writes one village-month workbook; caches each person's row between months."""

    def __init__(self, inbox: Path, messy: bool, seed: int):
        self.inbox = inbox
        self.messy = messy
        self.seed = seed
        self.injected: list[Injected] = []
        self.roster_rows = 0
        self.referral_rows = 0
        self.person_ids: set[int] = set()

    def file_path(self, v: Village, st: VillageStyle, m: date, suffix: str = "") -> Path:
        folder = self.inbox / "村居台账" / f"{m.year}年{m.month:02d}月"
        if not st.odd_name or not self.messy:
            name = f"{v.name}{m.year}年{m.month}月就业台账{suffix}.xlsx"
        else:
            variant = (v.idx + m.month) % 4
            name = [
                f"{v.name}{m.month}月台账(改){suffix}.xlsx",
                f"副本 {v.name}{m.year}{m.month:02d}{suffix}.xlsx",
                f"{v.name}_{m.year}_{m.month}{suffix}.xlsx",
                f"{v.name}/{m.month}月份就业台账{suffix}.xlsx",
            ][variant]
        return folder / name

    def write(
        self,
        v: Village,
        st: VillageStyle,
        m: date,
        month_no: int,
        *,
        suffix: str = "",
        extra_errors: int = 0,
        mtime_days: int = 0,
    ) -> Path:
        rng = random.Random(f"{self.seed}-roster-{v.code}-{m.isoformat()}-{suffix}")
        path = self.file_path(v, st, m, suffix)
        rel = path.relative_to(self.inbox).as_posix()
        me = month_end(m)
        sheet = X.Sheet("人员台账", merge="A1:H1" if st.merged_title else None,
                        widths=[6, 10, 6, 22, 14, 8] if self.messy else [])  # fmt: skip
        rows = sheet.rows
        rows.append(X.row(1, X.s(f"高桥镇{v.name}就业状况台账（{m.year}年{m.month}月）")))
        rows.append(
            X.row(
                2,
                X.s("村居代码") + X.s(v.code) + X.s("村居名称") + X.s(v.name) + X.s("报表期")
                + fmt_month(m, st.month_fmt),
            )
        )  # fmt: skip
        r = 4 if st.blank_row else 3
        header = X.s("序号") + "".join(X.s(st.header(k)) for k in st.order)
        if st.extra_column:
            header += X.s(st.extra_column)
        rows.append(X.row(r, header))
        persons = [p for h in v.households for p in h.members]
        layout = st.layout_id
        # deliberate bad rows (≈0.3 % + an occasional one) and warnings
        bad: dict[int, tuple[str, dict[str, str]]] = {}
        dups: list[Person] = []
        if self.messy and persons:
            n_bad = int(len(persons) * 0.002) + (1 if rng.random() < 0.2 else 0) + extra_errors
            for k in range(n_bad):
                i = rng.randrange(len(persons))
                p = persons[i]
                kind = "missing_household" if k >= n_bad - extra_errors else rng.choice(
                    ["bad_id", "bad_date", "bad_status", "missing_name", "dup_in_file", "future_date"]
                )  # fmt: skip
                if i in bad:
                    continue
                if kind == "dup_in_file":
                    dups.append(p)
                    continue
                ov = {
                    "bad_id": {"身份证号码": X.s(corrupt_check(p.id_number))},
                    "bad_date": {"就业日期": X.s(rng.choice(["2023-02-30", "去年3月", "2022年13月5日"]))},
                    "bad_status": {"就业状态": X.s(rng.choice(["打零工", "待定", "在家"]))},
                    "missing_name": {"姓名": X.EMPTY},
                    "future_date": {"就业日期": fmt_date(me + timedelta(days=rng.randrange(15, 90)),
                                                       st.date_fmt)},
                    "missing_household": {"户编号": X.EMPTY},
                }[kind]  # fmt: skip
                bad[i] = (kind, ov)
            if rng.random() < 0.2:
                i = rng.randrange(len(persons))
                p = persons[i]
                if i not in bad:
                    kind, ov = rng.choice(
                        [
                            ("warn_sex", {"性别": X.s("女" if p.male else "男")}),
                            ("warn_phone", {"联系电话": X.s("1380013")}),
                            ("warn_tag", {"人员类别": X.s("困难群体")}),
                            ("warn_uscc", {"单位统一社会信用代码": X.s("91310115ABC")}),
                        ]
                    )
                    bad[i] = (kind, ov)
        k = 0
        for i, p in enumerate(persons):
            r += 1
            k += 1
            if i in bad:
                kind, ov = bad[i]
                cells = X.add_refs(person_cells(p, st, ov), 1)
                self.injected.append(Injected(rel, "人员台账", r, kind))
            else:
                if p.frag is None or p.frag_layout != layout:
                    p.frag = X.add_refs(person_cells(p, st), 1)
                    p.frag_layout = layout
                cells = p.frag
            self.person_ids.add(p.pid)
            rows.append(X.numbered_row(r, k, cells))
        for _gp, frag, last in v.ghosts:
            if last >= month_no:
                r += 1
                k += 1
                rows.append(X.numbered_row(r, k, frag))
        v.ghosts = [g for g in v.ghosts if g[2] > month_no]
        for p in dups:
            r += 1
            k += 1
            rows.append(X.numbered_row(r, k, X.add_refs(person_cells(p, st), 1)))
            self.injected.append(Injected(rel, "人员台账", r, "dup_in_file"))
        self.roster_rows += k
        for f in st.footers:
            r += 1
            text = {
                "合计": X.s("合计") + X.s(f"{k}人"),
                "小计": X.s("小计") + X.s(f"{k}"),
                "填表人": X.s("填表人：") + X.s(v.referrers[0]),
                "审核人": X.s("审核人：") + X.s(v.referrers[1]),
                "填报日期": X.s(f"填报日期：{text_date(me + timedelta(days=3), 'cn')}"),
                "注：": X.s("注：就业状态按月末情况填写。"),
                "说明": X.s("说明：人员类别可多选。"),
            }[f]
            rows.append(X.row(r, text))
        sheets = [sheet]
        if not (self.messy and rng.random() < 0.08):
            sheets.append(self._log_sheet(v, st, rel, rng))
        path.parent.mkdir(parents=True, exist_ok=True)
        X.write_workbook(path, sheets)
        base = datetime(me.year, me.month, me.day, 9, v.idx) + timedelta(days=2 + v.idx % 8)
        set_mtime(path, base + timedelta(days=mtime_days))
        return path

    def _log_sheet(self, v: Village, st: VillageStyle, rel: str, rng: random.Random) -> X.Sheet:
        sh = X.Sheet("推荐上岗记录")
        r = 0
        if st.log_title:
            r += 1
            sh.rows.append(X.row(r, X.s(f"{v.name}推荐上岗记录（2019年以来）")))
        r += 1
        sh.rows.append(X.row(r, X.s("序号") + "".join(X.s(st.header(c)) for c in REFERRAL_COLUMNS)))
        bad_at = -1
        if self.messy and v.log and rng.random() < 0.06:
            bad_at = rng.randrange(len(v.log))
        for k, line in enumerate(v.log, start=1):
            r += 1
            if k - 1 == bad_at and line.placed and line.start:
                if rng.random() < 0.5:
                    cells = X.add_refs(referral_cells(line, st, {"上岗日期": X.EMPTY}), 1)
                    kind = "placed_without_start"
                else:
                    cells = X.add_refs(
                        referral_cells(
                            line,
                            st,
                            {"离岗日期": fmt_date(line.start - timedelta(days=5), st.date_fmt)},
                        ),
                        1,
                    )
                    kind = "end_before_start"
                self.injected.append(Injected(rel, "推荐上岗记录", r, kind))
            else:
                if line.frag is None:
                    line.frag = X.add_refs(referral_cells(line, st), 1)
                cells = line.frag
            sh.rows.append(X.numbered_row(r, k, cells))
        self.referral_rows += len(v.log)
        return sh


# ------------------------------------------------------------------ register
def write_register(
    inbox: Path,
    world_book,
    villages: list[Village],
    export: date,
    messy: bool,
    seed: int,
    injected: list[Injected],
) -> tuple[Path, dict[str, int]]:
    rng = random.Random(f"{seed}-register-{export.isoformat()}")
    path = inbox / "一企一册" / f"一企一册导出_{export:%Y%m%d}.xlsx"
    rel = path.relative_to(inbox).as_posix()
    date_fmt = rng.choice(["date", "iso", "slash", "cn"]) if messy else "date"
    alive_word = rng.choice(["存续", "存续", "在业", "开业"]) if messy else "存续"

    def meta(sheet: X.Sheet, title: str) -> int:
        sheet.rows.append(X.row(1, X.s(title)))
        sheet.rows.append(X.row(2, X.s("导出日期") + fmt_date(export, date_fmt)))
        return 4 if (messy and rng.random() < 0.5) else 3

    items = [e for e in world_book.items if e.founded <= export]
    # 企业名录
    ent = X.Sheet("企业名录")
    r = meta(ent, "高桥镇一企一册企业名录")
    cols = ["统一社会信用代码", "企业名称", "组织类型", "成立日期", "经营状态", "注销日期", "所属村居",
            "行业", "职工人数"]  # fmt: skip
    head = [("统一社会信用代码*" if messy else c) if c == "统一社会信用代码" else c for c in cols]
    ent.rows.append(X.row(r, "".join(X.s(h) for h in head)))
    counts = {"enterprises": 0, "supports": 0, "vacancies": 0}

    def ent_row(e) -> str:
        ended = e.end_date is not None and e.end_date <= export
        status = e.end_status if ended else alive_word
        if e.village is None:
            where = ""
        else:
            v = villages[e.village] if e.village < len(villages) else None
            h = int(e.uscc[-3:-1], 36) % 10 if v else 9
            where = "" if v is None or h == 0 else (v.name if h in (1, 2) else v.code)
        return (
            X.s(e.uscc) + X.s(e.name) + X.s(e.org_type) + fmt_date(e.founded, date_fmt) + X.s(status)
            + (fmt_date(e.end_date, date_fmt) if ended else X.EMPTY) + X.s(where)
            + X.s(e.industry) + X.n(e.headcount)
        )  # fmt: skip

    for e in items:
        r += 1
        ent.rows.append(X.row(r, ent_row(e)))
        counts["enterprises"] += 1
    if messy and items:
        r += 1
        ent.rows.append(X.row(r, ent_row(items[rng.randrange(len(items))])))
        injected.append(Injected(rel, "企业名录", r, "dup_uscc"))
        r += 1
        ent.rows.append(X.row(r, X.s("合计") + X.s(f"{len(items)}户")))
    # 创业扶持
    sup = X.Sheet("创业扶持")
    r = meta(sup, "创业扶持记录")
    sup.rows.append(X.row(r, "".join(X.s(c) for c in
                                     ["统一社会信用代码", "创业者姓名", "创业者身份证号码", "扶持日期",
                                      "扶持方式", "扶持金额", "带动就业人数"])))  # fmt: skip
    for e in items:
        for s_ in e.supports:
            if s_.date > export:
                continue
            r += 1
            sup.rows.append(X.row(r, X.s(e.uscc) + X.s(e.founder_name) + X.s(e.founder_id)
                                  + fmt_date(s_.date, date_fmt) + X.s(s_.kind)
                                  + X.n(s_.amount) + X.n(s_.jobs)))  # fmt: skip
            counts["supports"] += 1
    if messy and counts["supports"]:
        r += 1
        ghost_uscc = world_book.usccs.make()
        founder = next(e.founder_id for e in items if e.founder_id)
        sup.rows.append(X.row(r, X.s(ghost_uscc) + X.s("王某") + X.s(founder)
                              + fmt_date(export - timedelta(days=30), date_fmt) + X.s("开业指导")
                              + X.n(0) + X.n(1)))  # fmt: skip
        injected.append(Injected(rel, "创业扶持", r, "unknown_enterprise"))
    # 岗位信息
    vac = X.Sheet("岗位信息")
    r = meta(vac, "岗位信息")
    vac.rows.append(X.row(r, "".join(X.s(c) for c in
                                     ["统一社会信用代码", "岗位名称", "招聘人数", "月薪下限", "月薪上限",
                                      "发布日期", "截止日期", "岗位状态"])))  # fmt: skip
    for e in items:
        for j in e.vacancies:
            if j.posted > export:
                continue
            open_ = j.closing is None or j.closing > export
            status = (
                "招聘中"
                if open_ and (e.end_date is None or e.end_date > export)
                else j.final_status
            )
            r += 1
            vac.rows.append(X.row(r, X.s(e.uscc) + X.s(j.title) + X.n(j.openings)
                                  + X.n(j.salary_min) + X.n(j.salary_max)
                                  + fmt_date(j.posted, date_fmt) + fmt_date(j.closing, date_fmt)
                                  + X.s(status)))  # fmt: skip
            counts["vacancies"] += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    X.write_workbook(path, [ent, sup, vac])
    set_mtime(path, datetime(export.year, export.month, export.day, 17, 30))
    return path, counts


# ------------------------------------------------------------------ training
TRAINING_COLUMNS = ["班级编号", "培训项目", "培训类别", "合作企业统一社会信用代码", "开班日期", "结业日期",
                    "学员姓名", "身份证号码", "出勤率", "是否结业", "证书名称", "证书等级", "取证日期"]  # fmt: skip


def write_training(
    inbox: Path,
    name: str,
    classes: list[TrainingClass],
    fmt: str,
    messy: bool,
    seed: int,
    mtime: datetime,
    injected: list[Injected],
    upto: date,
) -> tuple[Path, int]:
    """One training export: fmt is 'gb18030', 'utf-8-sig' or 'xlsx'."""
    rng = random.Random(f"{seed}-training-{name}")
    ext = "xlsx" if fmt == "xlsx" else "csv"
    path = inbox / "培训记录" / f"{name}.{ext}"
    rel = path.relative_to(inbox).as_posix()
    att_style = rng.choice(["pct", "frac", "num"]) if messy else "pct"
    date_style = rng.choice(["iso", "slash", "cn", "compact"]) if messy else "iso"
    extra = messy and rng.random() < 0.4
    header = list(TRAINING_COLUMNS) + (["培训机构"] if extra else [])
    if messy:
        header[0] = "班级编号*"
    records: list[list[object]] = []
    kinds: list[str | None] = []
    for c in classes:
        for t in c.rows:
            cert_ok = t.cert_date is None or t.cert_date <= upto
            att = {"pct": f"{round(t.attendance * 100)}%", "frac": f"{t.attendance:.2f}",
                   "num": f"{round(t.attendance * 100)}"}[att_style]  # fmt: skip
            rec: list[object] = [c.class_id, c.course, c.category, c.partner_uscc or "", c.start, c.end,
                                 t.person_name, t.id_number, att, "是" if t.completed else "否",
                                 (t.cert_name or "") if cert_ok else "", (t.cert_level or "") if cert_ok else "",
                                 t.cert_date if cert_ok else None]  # fmt: skip
            if extra:
                rec.append("高桥镇职业技能培训中心")
            records.append(rec)
            kinds.append(None)
    if messy and records and rng.random() < 0.6:
        i = rng.randrange(len(records))
        if rng.random() < 0.5:
            records[i][7] = corrupt_check(str(records[i][7]))
            kinds[i] = "bad_id"
        else:
            records[i][5] = records[i][4] - timedelta(days=3)  # type: ignore[operator]
            kinds[i] = "end_before_start"
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        sh = X.Sheet("培训记录")
        r = 0
        if messy:
            sh.rows.append(X.row(1, X.s("培训记录导出")))
            r = 2
        r += 1
        sh.rows.append(X.row(r, "".join(X.s(h) for h in header)))
        for rec, kind in zip(records, kinds, strict=True):
            r += 1
            cells = "".join(
                fmt_date(v, "date")
                if isinstance(v, date)
                else (X.EMPTY if v is None else X.s(str(v)))
                for v in rec
            )
            sh.rows.append(X.row(r, cells))
            if kind:
                injected.append(Injected(rel, "培训记录", r, kind))
        X.write_workbook(path, [sh])
    else:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(header)
        for r, (rec, kind) in enumerate(zip(records, kinds, strict=True), start=2):
            w.writerow(["" if v is None else text_date(v, date_style) if isinstance(v, date) else v
                        for v in rec])  # fmt: skip
            if kind:
                injected.append(Injected(rel, "", r, kind))
        path.write_bytes(buf.getvalue().encode(fmt))
    set_mtime(path, mtime)
    return path, len(records)


__all__ = ["Injected", "RosterWriter", "write_register", "write_training"]
