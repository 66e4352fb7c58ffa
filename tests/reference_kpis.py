"""An independent Python reference for the KPIs of /work/shared/spec/kpis.md.

Used by tests/test_demo_reconcile.py to recompute the figures of a built demo warehouse and to
compare them with marts.kpi_town_year / marts.kpi_village_year (issue #3: "the figures of the
demo data reconcile with an independent count in a Python test").

Independence: this module reads only what ingest accepted (the `raw` schema, see
ingest/raw_schema.py) and the seed CSV files (dbt_project/seeds/villages.csv,
assessment_items.csv, village_targets.csv, town_targets.csv). It never reads a staging,
intermediate or mart model and was written from the text of kpis.md / sources.md (each
function quotes the line it implements), not from the SQL. Where the spec leaves a choice, the
choice recorded in docs/DECISIONS.md is followed and cited ("DECISIONS: ...").

Persons are identified by the normalised ID (`id_number`, raw layer); nothing here is printed.
"""

from __future__ import annotations

import calendar
import csv
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from yiye.config import PROJECT_ROOT

SEEDS = PROJECT_ROOT / "dbt_project" / "seeds"

# kpis.md Conventions, "Classes": employed E = {单位就业, 灵活就业, 自主创业, 公益性岗位}
EMPLOYED = frozenset({"单位就业", "灵活就业", "自主创业", "公益性岗位"})

RATES = (
    "community_employment_rate",
    "registered_unemployed_reemployment_rate",
    "hard_to_employ_placement_rate",
    "hard_to_employ_graduate_placement_rate",
    "zero_employment_household_placement_rate",
    "startup_survival_rate_1y",
    "job_retention_rate_6m",
    "training_completion_rate",
    "training_certification_rate",
    "training_employment_rate_6m",
)
COUNTS = (
    "zero_employment_households_at_ref",
    "unemployed_count",
    "long_term_unemployed_youth_employed",
    "placements",
    "placements_cumulative",
    "startups_supported",
    "startups_supported_cumulative",
    "training_enrollments",
)
INDICATORS = RATES + COUNTS
# kpis.md: "Follow-up exclusion ... the count of excluded members is reported beside the rate";
# "`excluded` is NULL where no exclusion rule applies". Rules exist for these:
WITH_EXCLUSION = frozenset({
    "registered_unemployed_reemployment_rate",
    "hard_to_employ_placement_rate",
    "hard_to_employ_graduate_placement_rate",
    "zero_employment_household_placement_rate",
    "long_term_unemployed_youth_employed",
    "startup_survival_rate_1y",
    "training_employment_rate_6m",
})  # fmt: skip


# --------------------------------------------------------------------------- dates


def add_months(d: date, k: int) -> date:
    """kpis.md: "Months are added with calendar arithmetic (2024-01-31 + 1 month = 2024-02-29)"."""
    y, m = divmod(d.month - 1 + k, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def month_end(first_day: date) -> date:
    """kpis.md: a snapshot's "date is the last day of m"."""
    return date(
        first_day.year, first_day.month, calendar.monthrange(first_day.year, first_day.month)[1]
    )


def reference_date(year: int, as_of: date) -> date:
    """kpis.md: "reference date R(Y) = min(Y-12-31, as_of)"."""
    return min(date(year, 12, 31), as_of)


# --------------------------------------------------------------------------- figures


@dataclass
class Figure:
    """One indicator row: numerator, denominator, excluded, value (kpis.md Conventions)."""

    numerator: int = 0
    denominator: int | None = None
    excluded: int | None = None
    is_count: bool = False

    @property
    def value(self) -> float | None:
        # "For a count, numerator = value"; "A rate with denominator 0 has value NULL"
        if self.is_count:
            return float(self.numerator)
        return self.numerator / self.denominator if self.denominator else None


def count(n: int) -> Figure:
    # "For a count, numerator = value and denominator is NULL unless the definition names one"
    return Figure(n, None, None, is_count=True)


@dataclass
class Outcome:
    """Cohort bookkeeping per attribution unit (town = key None, or a village code)."""

    num: dict[Any, set] = field(default_factory=lambda: defaultdict(set))
    den: dict[Any, set] = field(default_factory=lambda: defaultdict(set))
    exc: dict[Any, set] = field(default_factory=lambda: defaultdict(set))

    def add(self, unit: Any, member: Any, status: str) -> None:
        if status == "excluded":
            self.exc[unit].add(member)
            return
        self.den[unit].add(member)
        if status == "numerator":
            self.num[unit].add(member)

    def figure(self, unit: Any, with_exclusion: bool, is_count: bool = False) -> Figure:
        # "An empty cohort gives numerator 0, denominator 0, excluded 0 (where an exclusion
        # rule applies) — the row is always present."
        exc = len(self.exc[unit]) if with_exclusion else None
        return Figure(len(self.num[unit]), len(self.den[unit]), exc, is_count)


# --------------------------------------------------------------------------- raw data


def _rows(con: Any, sql: str) -> list[dict[str, Any]]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@dataclass
class RosterRow:
    village: str
    month: date  # first day of the report month
    pid: str
    household: str
    tags: frozenset[str]
    status: str
    wish: str
    row_number: int

    @property
    def cls(self) -> str:
        """kpis.md "Classes": E; U = {登记失业} ∪ {未就业 with 就业意愿=有}; everything else O."""
        if self.status in EMPLOYED:
            return "E"
        if self.status == "登记失业" or (self.status == "未就业" and self.wish == "有"):
            return "U"
        return "O"

    @property
    def date(self) -> date:
        return month_end(self.month)


@dataclass
class Spell:
    village: str  # the village whose log holds the line
    log_period: date
    pid: str
    start: date
    end: date | None
    employer: str  # "employer — its USCC, else its name"
    row_number: int


class Reference:
    """All figures of kpis.md for the years first_year..year(as_of), from raw + seeds."""

    def __init__(self, con: Any, as_of: date, first_year: int = 2022):
        self.as_of = as_of
        self.first_year = first_year
        self.years = list(range(first_year, as_of.year + 1))
        self.villages = _seed("villages.csv")
        self._load_rosters(con)
        self._load_referrals(con)
        self._load_register(con)
        self._load_training(con)
        self._pop_cache: dict[date, dict[str, RosterRow]] = {}

    # ---------------------------------------------------------------- loading

    @staticmethod
    def _order(f: dict[str, Any]) -> tuple:
        # sources.md A: "Later means: ingested in a later run; within one run, the file with the
        # later modification time, then the greater file name."
        return (f["ingest_seq"], f["file_mtime"] or date.min, f["file_name"])

    def _load_rosters(self, con: Any) -> None:
        files = _rows(con, "select * from raw.source_files where status = 'accepted'")
        self.files = {f["source_sha256"]: f for f in files}
        # kpis.md "Snapshot S(v, m): the accepted roster of village v for report month m (the
        # superseding rules of sources.md already applied)": the later file of (v, m) wins.
        winner: dict[tuple[str, date], dict[str, Any]] = {}
        for f in files:
            if f["kind"] != "roster":
                continue
            key = (f["village_code"], f["period"])
            if key not in winner or self._order(f) > self._order(winner[key]):
                winner[key] = f
        winning = {f["source_sha256"]: key for key, f in winner.items()}
        self.snapshots: dict[tuple[str, date], list[RosterRow]] = defaultdict(list)
        for r in _rows(con, "select * from raw.roster_rows"):
            if r["source_sha256"] not in winning:
                continue
            tags = frozenset(t for t in (r["tags"] or "").split("|") if t)
            row = RosterRow(r["village_code"], r["report_month"], r["id_number"],
                            r["household_no"], tags, r["employment_status"], r["wish_to_work"],
                            r["row_number"])  # fmt: skip
            self.snapshots[(row.village, row.month)].append(row)
        self.snapshot_months: dict[str, list[date]] = defaultdict(list)
        for v, m in sorted(self.snapshots):
            self.snapshot_months[v].append(m)

    def _load_referrals(self, con: Any) -> None:
        # kpis.md "Event sources as known at as_of: the referral logs are those of each
        # village's newest accepted workbook that has a 推荐上岗记录 sheet with report month
        # ≤ as_of". DECISIONS: newest by period, then ingest order; a superseded same-month file
        # still counts when the resubmission lacks the sheet (raw status is 'accepted' for both).
        chosen: dict[str, dict[str, Any]] = {}
        for f in self.files.values():
            if f["kind"] != "roster" or not f["has_referral_sheet"] or f["period"] > self.as_of:
                continue
            v = f["village_code"]
            if v not in chosen or (f["period"], *self._order(f)) > (
                chosen[v]["period"],
                *self._order(chosen[v]),
            ):
                chosen[v] = f
        sha = {f["source_sha256"]: f for f in chosen.values()}
        self.referral_lines: list[dict[str, Any]] = []
        for r in _rows(con, "select * from raw.referral_rows order by row_number"):
            if r["source_sha256"] in sha:
                r["log_period"] = sha[r["source_sha256"]]["period"]
                self.referral_lines.append(r)

    def _load_register(self, con: Any) -> None:
        # kpis.md: "the enterprise register is the newest export with 导出日期 ≤ as_of (if none,
        # the oldest export, with a warning)"; sources.md B: "by its 导出日期, then by ingestion
        # time".
        exports = [f for f in self.files.values() if f["kind"] == "enterprise_register"]
        key = lambda f: (f["period"], *self._order(f))  # noqa: E731
        eligible = [f for f in exports if f["period"] <= self.as_of]
        pick = max(eligible, key=key) if eligible else (min(exports, key=key) if exports else None)
        sha = pick["source_sha256"] if pick else None
        self.enterprises = {
            e["uscc"]: e
            for e in _rows(con, "select * from raw.enterprises")
            if e["source_sha256"] == sha
        }
        self.support = [
            s for s in _rows(con, "select * from raw.startup_support") if s["source_sha256"] == sha
        ]

    def _load_training(self, con: Any) -> None:
        # sources.md C: "Key: (班级编号, 身份证号码); a row with the same key in a newer file
        # replaces the older row". DECISIONS: same key twice in one file → the later row wins.
        best: dict[tuple[str, str], tuple[tuple, dict[str, Any]]] = {}
        for r in _rows(con, "select * from raw.training_rows"):
            f = self.files.get(r["source_sha256"])
            if f is None:  # a rejected file's rows never count
                continue
            order = (*self._order(f), r["row_number"])
            k = (r["class_id"], r["id_number"])
            if k not in best or order > best[k][0]:
                best[k] = (order, r)
        self.training = [r for _, r in best.values()]

    # ---------------------------------------------------------------- population

    def active_villages(self, d: date) -> list[str]:
        """sources.md D: villages with active_from ≤ d and (no active_to or active_to ≥ d)."""
        out = []
        for v in self.villages:
            frm = date.fromisoformat(v["active_from"]) if v["active_from"] else date.min
            to = date.fromisoformat(v["active_to"]) if v["active_to"] else date.max
            if frm <= d <= to:
                out.append(v["village_code"])
        return sorted(out)

    def population(self, d: date) -> dict[str, RosterRow]:
        """kpis.md "Population at date D, P(D): for every active village take its latest
        snapshot with date ≤ D; union their rows. A person (ID) found in several villages'
        snapshots is counted once: the row from the snapshot with the later month wins; on a
        tie the smaller village code wins"."""
        if d in self._pop_cache:
            return self._pop_cache[d]
        pop: dict[str, RosterRow] = {}
        for v in self.active_villages(d):
            months = [m for m in self.snapshot_months.get(v, []) if month_end(m) <= d]
            if not months:
                continue
            for row in self.snapshots[(v, max(months))]:
                cur = pop.get(row.pid)
                if cur is None or (row.month, _neg(row.village)) > (cur.month, _neg(cur.village)):
                    pop[row.pid] = row
        self._pop_cache[d] = pop
        return pop

    def seen_rows(self, year: int) -> list[RosterRow]:
        """kpis.md "Seen in year Y: a row of any snapshot whose month lies in Y and whose date
        ≤ R(Y) (any village's snapshot, before the cross-village de-duplication of P)"."""
        r = reference_date(year, self.as_of)
        return [
            row
            for (_, m), rows in self.snapshots.items()
            if m.year == year and month_end(m) <= r
            for row in rows
        ]

    @staticmethod
    def households(rows: Iterable[RosterRow]) -> dict[tuple[str, str], list[RosterRow]]:
        """kpis.md: "household at D is (that village, the 户编号 of that row)"."""
        out: dict[tuple[str, str], list[RosterRow]] = defaultdict(list)
        for row in rows:
            out[(row.village, row.household)].append(row)
        return out

    @staticmethod
    def zero_employment(members: list[RosterRow]) -> bool:
        """kpis.md: "zero-employment ... when it has ≥ 1 member in E∪U and none in E"."""
        classes = {m.cls for m in members}
        return "E" not in classes and "U" in classes

    # ---------------------------------------------------------------- indicators

    def compute(self) -> tuple[dict, dict]:
        """Returns (town, village): town[(year, code)] = Figure;
        village[(year, village_code, code)] = Figure for every village active at R(Y)."""
        town: dict[tuple[int, str], Figure] = {}
        village: dict[tuple[int, str, str], Figure] = {}
        cumulative_town = 0
        cumulative_village: dict[str, int] = defaultdict(int)
        for y in self.years:
            r = reference_date(y, self.as_of)
            active = self.active_villages(r)
            per = {
                "community_employment_rate": self.community_employment(y),
                "registered_unemployed_reemployment_rate": self.person_cohort(
                    y, lambda row: row.status == "登记失业"),
                "hard_to_employ_placement_rate": self.person_cohort(
                    y, lambda row: "就业困难人员" in row.tags and row.cls == "U"),
                "hard_to_employ_graduate_placement_rate": self.person_cohort(
                    y, lambda row: "就业困难高校毕业生" in row.tags and row.cls == "U"),
                "zero_employment_household_placement_rate": self.zero_household_cohort(y),
                "long_term_unemployed_youth_employed": self.person_cohort(
                    y, lambda row: "长期失业青年" in row.tags),
                "startup_survival_rate_1y": self.startup_survival(y),
                "job_retention_rate_6m": self.job_retention(y),
                "training_completion_rate": self.training_completion(y),
                "training_certification_rate": self.training_certification(y),
                "training_employment_rate_6m": self.training_employment(y),
            }  # fmt: skip
            for code, out in per.items():
                # "long_term_unemployed_youth_employed ... value = numerator = cohort members
                # in E at R; denominator = cohort size after follow-up exclusion" (a count)
                with_exc, is_count = code in WITH_EXCLUSION, code in COUNTS
                town[(y, code)] = out.figure(None, with_exc, is_count)
                for v in active:
                    village[(y, v, code)] = out.figure(v, with_exc, is_count)
            counts = {
                "zero_employment_households_at_ref": self.zero_households_at_ref(y),
                "unemployed_count": self.unemployed_count(y),
                "placements": self.placements(y),
                "startups_supported": self.startups_supported(y, cumulative=False),
                "startups_supported_cumulative": self.startups_supported(y, cumulative=True),
                "training_enrollments": self.training_enrollments(y),
            }
            for code, by_unit in counts.items():
                town[(y, code)] = count(by_unit.get(None, 0))
                for v in active:
                    village[(y, v, code)] = count(by_unit.get(v, 0))
            # "placements_cumulative: sum of placements from first_year to Y"
            cumulative_town += town[(y, "placements")].numerator
            town[(y, "placements_cumulative")] = count(cumulative_town)
            for v in active:
                cumulative_village[v] += village[(y, v, "placements")].numerator
            for v in active:
                village[(y, v, "placements_cumulative")] = count(cumulative_village[v])
        return town, village

    def community_employment(self, y: int) -> Outcome:
        """kpis.md community_employment_rate: "among P(R) rows in class E∪U: share in E";
        village: "the person's village at R"."""
        out = Outcome()
        for pid, row in self.population(reference_date(y, self.as_of)).items():
            if row.cls in ("E", "U"):
                status = "numerator" if row.cls == "E" else "denominator"
                for unit in units(row.village):
                    out.add(unit, pid, status)
        return out

    def _follow_up(self, pid: str, r: date) -> str:
        """kpis.md "Follow-up exclusion: a cohort member who is absent from P(R) ... or is in
        class O at R ... leaves both the numerator and the denominator"; numerator: "in E at R"."""
        row = self.population(r).get(pid)
        if row is None or row.cls == "O":
            return "excluded"
        return "numerator" if row.cls == "E" else "denominator"

    def person_cohort(self, y: int, qualifies: Any) -> Outcome:
        """kpis.md registered_unemployed_reemployment_rate / hard_to_employ_placement_rate /
        hard_to_employ_graduate_placement_rate / long_term_unemployed_youth_employed: cohort =
        persons with a qualifying row seen in Y, numerator = in E at R, follow-up exclusion.
        Village: "the village of the row that put the person into the cohort — the latest such
        row in Y" (DECISIONS: latest snapshot date, tie → smaller village code)."""
        r = reference_date(y, self.as_of)
        attributing: dict[str, RosterRow] = {}
        for row in self.seen_rows(y):
            if not qualifies(row):
                continue
            cur = attributing.get(row.pid)
            if cur is None or (row.month, _neg(row.village)) > (cur.month, _neg(cur.village)):
                attributing[row.pid] = row
        out = Outcome()
        for pid, row in attributing.items():
            status = self._follow_up(pid, r)
            for unit in units(row.village):
                out.add(unit, pid, status)
        return out

    def zero_household_cohort(self, y: int) -> Outcome:
        """kpis.md zero_employment_household_placement_rate: "Cohort: households
        zero-employment in some snapshot seen in Y. Numerator: households with ≥ 1 member in E
        in P(R). Households with no member in E∪U in P(R) are excluded"; village = the
        household's village (the village code of its key)."""
        r = reference_date(y, self.as_of)
        by_snapshot: dict[tuple[str, date], list[RosterRow]] = defaultdict(list)
        for row in self.seen_rows(y):
            by_snapshot[(row.village, row.month)].append(row)
        cohort = set()
        for rows in by_snapshot.values():
            for hh, members in self.households(rows).items():
                if self.zero_employment(members):
                    cohort.add(hh)
        at_r = self.households(self.population(r).values())
        out = Outcome()
        for hh in cohort:
            classes = {m.cls for m in at_r.get(hh, [])}
            if "E" in classes:
                status = "numerator"
            elif "U" not in classes:
                status = "excluded"
            else:
                status = "denominator"
            for unit in units(hh[0]):
                out.add(unit, hh, status)
        return out

    def zero_households_at_ref(self, y: int) -> dict[Any, int]:
        """kpis.md zero_employment_households_at_ref: "number of households zero-employment in
        P(R)"."""
        out: dict[Any, int] = defaultdict(int)
        for hh, members in self.households(
            self.population(reference_date(y, self.as_of)).values()
        ).items():
            if self.zero_employment(members):
                out[None] += 1
                out[hh[0]] += 1
        return out

    def unemployed_count(self, y: int) -> dict[Any, int]:
        """kpis.md unemployed_count: "rows of P(R) in class U"."""
        out: dict[Any, int] = defaultdict(int)
        for row in self.population(reference_date(y, self.as_of)).values():
            if row.cls == "U":
                out[None] += 1
                out[row.village] += 1
        return out

    # ---------------------------------------------------------------- referral logs

    def placement_lines(self) -> list[dict[str, Any]]:
        """Log lines with 是否上岗=是 (and hence a 上岗日期, sources.md A)."""
        return [ln for ln in self.referral_lines if ln["placed"] and ln["start_date"] is not None]

    def placements(self, y: int) -> dict[Any, int]:
        """kpis.md placements: "distinct persons in the referral logs with 是否上岗=是 and
        上岗日期 in Y (≤ R); a person in two villages' logs counts once for the town and once in
        each village"."""
        r = reference_date(y, self.as_of)
        persons: dict[Any, set] = defaultdict(set)
        for ln in self.placement_lines():
            if ln["start_date"].year == y and ln["start_date"] <= r:
                persons[None].add(ln["id_number"])
                persons[ln["village_code"]].add(ln["id_number"])
        return {k: len(v) for k, v in persons.items()}

    def spells(self) -> tuple[list[Spell], list[Spell]]:
        """kpis.md job_retention_rate_6m: "one line per (person, 上岗日期, employer — its USCC,
        else its name)"; village: "the village whose log holds the line (a line in two logs
        counts in each)". DECISIONS: per log the first row; the town copy of a line held by
        several logs is the newest log's (then smallest village code, then row number)."""
        per_log: dict[tuple, Spell] = {}
        for ln in self.placement_lines():
            employer = ln["employer_uscc"] or ln["employer_name"]
            s = Spell(ln["village_code"], ln["log_period"], ln["id_number"], ln["start_date"],
                      ln["end_date"], employer, ln["row_number"])  # fmt: skip
            k = (s.village, s.pid, s.start, s.employer)
            if k not in per_log or s.row_number < per_log[k].row_number:
                per_log[k] = s
        town: dict[tuple, Spell] = {}
        for s in per_log.values():
            k = (s.pid, s.start, s.employer)
            rank = (-s.log_period.toordinal(), s.village, s.row_number)
            if k not in town or rank < (
                -town[k].log_period.toordinal(),
                town[k].village,
                town[k].row_number,
            ):
                town[k] = s
        return list(town.values()), list(per_log.values())

    def job_retention(self, y: int) -> Outcome:
        """kpis.md job_retention_rate_6m: "cohort: placements ... with 上岗日期 in
        [(Y−1)-07-01, Y-06-30]; not yet observable lines left out; ... retained: 离岗日期 empty
        or > 上岗日期 + 6 months"; "an end date (离岗日期 ...) after R(Y) has not happened yet"."""
        r = reference_date(y, self.as_of)
        lo, hi = date(y - 1, 7, 1), date(y, 6, 30)
        out = Outcome()
        town, per_log = self.spells()
        for unit_of, spells in ((lambda s: None, town), (lambda s: s.village, per_log)):
            for s in spells:
                horizon = add_months(s.start, 6)
                if not (lo <= s.start <= hi) or horizon > r:
                    continue
                end = s.end if s.end is not None and s.end <= r else None
                retained = end is None or end > horizon
                member = (s.pid, s.start, s.employer)
                out.add(unit_of(s), member, "numerator" if retained else "denominator")
        return out

    # ---------------------------------------------------------------- register

    def first_support(self) -> tuple[dict[str, tuple[date, str]], dict[str, date]]:
        """First support record per founder (date, USCC — DECISIONS: same date → smallest
        USCC) and first 扶持日期 per enterprise, over all records ("also before first_year")."""
        founders: dict[str, tuple[date, str]] = {}
        firms: dict[str, date] = {}
        for s in self.support:
            k = (s["support_date"], s["uscc"])
            if s["founder_id"] not in founders or k < founders[s["founder_id"]]:
                founders[s["founder_id"]] = k
            if s["uscc"] not in firms or s["support_date"] < firms[s["uscc"]]:
                firms[s["uscc"]] = s["support_date"]
        return founders, firms

    def _firm_village(self, uscc: str) -> str | None:
        """kpis.md Village indicators: "startups_supported and survival to the enterprise's
        所属村居 (unattributed when empty)"."""
        e = self.enterprises.get(uscc)
        return e["village_code"] if e else None

    def startups_supported(self, y: int, cumulative: bool) -> dict[Any, int]:
        """kpis.md startups_supported: "distinct founder IDs whose first support record (over
        all years, also before first_year) has 扶持日期 in Y (≤ R)";
        startups_supported_cumulative: "... first support date lies in [first_year-01-01, R]"."""
        r = reference_date(y, self.as_of)
        lo = date(self.first_year, 1, 1) if cumulative else date(y, 1, 1)
        out: dict[Any, int] = defaultdict(int)
        for first, uscc in self.first_support()[0].values():
            if lo <= first <= r:
                out[None] += 1
                v = self._firm_village(uscc)
                if v is not None:
                    out[v] += 1
        return out

    def startup_survival(self, y: int) -> Outcome:
        """kpis.md startup_survival_rate_1y: "cohort: supported enterprises (distinct USCC)
        whose first 扶持日期 is in Y−1. Origin = that date. An enterprise dies on 注销日期 when
        经营状态 is 注销 or 吊销; 迁出 is censoring, not death. Survived: no death date, or death
        date > origin + 12 months. Members that 迁出 on or before origin + 12 months are
        excluded; members not yet observable are left out"."""
        r = reference_date(y, self.as_of)
        out = Outcome()
        for uscc, origin in self.first_support()[1].items():
            horizon = add_months(origin, 12)
            if origin.year != y - 1 or horizon > r:
                continue
            e = self.enterprises[uscc]
            end = e["end_date"] if e["end_date"] is not None and e["end_date"] <= r else None
            if e["business_status"] == "迁出" and end is not None and end <= horizon:
                status = "excluded"
            elif e["business_status"] in ("注销", "吊销") and end is not None and end <= horizon:
                status = "denominator"  # died within the horizon
            else:
                status = "numerator"
            for unit in units(self._firm_village(uscc)):
                out.add(unit, uscc, status)
        return out

    # ---------------------------------------------------------------- training

    def _trainee_village(self, t: dict[str, Any]) -> str | None:
        """kpis.md Village indicators: "training to the trainee's village in P(开班日期)
        (unattributed when absent)"."""
        row = self.population(t["start_date"]).get(t["id_number"])
        return row.village if row else None

    def training_enrollments(self, y: int) -> dict[Any, int]:
        """kpis.md training_enrollments: "distinct (班级编号, ID) with 开班日期 in Y (≤ R)"."""
        r = reference_date(y, self.as_of)
        keys: dict[Any, set] = defaultdict(set)
        for t in self.training:
            if t["start_date"].year == y and t["start_date"] <= r:
                k = (t["class_id"], t["id_number"])
                for unit in units(self._trainee_village(t)):
                    keys[unit].add(k)
        return {k: len(v) for k, v in keys.items()}

    def _ended_in(self, t: dict[str, Any], y: int) -> bool:
        return t["end_date"].year == y and t["end_date"] <= reference_date(y, self.as_of)

    def training_completion(self, y: int) -> Outcome:
        """kpis.md training_completion_rate: "among training rows with 结业日期 in Y (≤ R):
        share with 是否结业=是"."""
        out = Outcome()
        for t in self.training:
            if self._ended_in(t, y):
                k = (t["class_id"], t["id_number"])
                for unit in units(self._trainee_village(t)):
                    out.add(unit, k, "numerator" if t["completed"] else "denominator")
        return out

    def training_certification(self, y: int) -> Outcome:
        """kpis.md training_certification_rate: "among completed rows with 结业日期 in Y (≤ R):
        share with a non-empty 证书名称 and a 取证日期 ≤ R (a certificate without a date does
        not count ...)"."""
        r = reference_date(y, self.as_of)
        out = Outcome()
        for t in self.training:
            if t["completed"] and self._ended_in(t, y):
                certified = bool((t["certificate_name"] or "").strip()) and (
                    t["certificate_date"] is not None and t["certificate_date"] <= r
                )
                k = (t["class_id"], t["id_number"])
                for unit in units(self._trainee_village(t)):
                    out.add(unit, k, "numerator" if certified else "denominator")
        return out

    def training_employment(self, y: int) -> Outcome:
        """kpis.md training_employment_rate_6m: "cohort: completed rows with 结业日期 + 6
        months in [Y-01-01, R] whose trainee was in class U in P(开班日期); numerator: in E in
        P(结业日期 + 6 months) or with a placement whose 上岗日期 lies in [开班日期, 结业日期 +
        6 months]; members not in the numerator who are absent from or in class O in
        P(结业日期 + 6 months) are excluded". DECISIONS: a placement in any selected log."""
        r = reference_date(y, self.as_of)
        starts: dict[str, list[date]] = defaultdict(list)
        for ln in self.placement_lines():
            starts[ln["id_number"]].append(ln["start_date"])
        out = Outcome()
        for t in self.training:
            if not t["completed"]:
                continue
            h = add_months(t["end_date"], 6)
            if not (date(y, 1, 1) <= h <= r):
                continue
            at_start = self.population(t["start_date"]).get(t["id_number"])
            if at_start is None or at_start.cls != "U":
                continue
            later = self.population(h).get(t["id_number"])
            placed = any(t["start_date"] <= s <= h for s in starts[t["id_number"]])
            if (later is not None and later.cls == "E") or placed:
                status = "numerator"
            elif later is None or later.cls == "O":
                status = "excluded"
            else:
                status = "denominator"
            k = (t["class_id"], t["id_number"])
            for unit in units(at_start.village):
                out.add(unit, k, status)
        return out


def units(village: str | None) -> tuple[str | None, ...]:
    """The town (None) and, when attributed, the village."""
    return (None, village) if village else (None,)


def _neg(code: str | None) -> tuple:
    """Sort helper: a greater _neg(code) is a *smaller* village code ("the smaller village
    code wins")."""
    return tuple(-ord(c) for c in (code or ""))


def close(a: float | None, b: float | None, tol: float = 1e-9) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=0, abs_tol=tol)


# --------------------------------------------------------------------------- assessment


@dataclass
class Item:
    value: float | None
    target: float | None
    weight: float
    score: float
    not_applicable: bool


GRADES = ((90, "优秀"), (75, "良好"), (60, "合格"))  # kpis.md: "≥ 90 优秀, ≥ 75 良好, ≥ 60 合格"


def data_quality(ref: Reference, con: Any, year: int, village: str) -> float | None:
    """kpis.md Village assessment: "data_quality = (months of Y whose last day ≤ R for which
    the village has an accepted roster) / (months of Y whose last day ≤ R) × (accepted roster
    rows) / (accepted + rejected roster rows), over that village's 人员台账 sheets of those
    months (superseded files not counted). NULL ... when no month of Y has ended by R".
    DECISIONS: the row part counts the winning accepted file and whole-file-rejected files of
    each month; with no rows at all it is 1."""
    r = reference_date(year, ref.as_of)
    months = [date(year, m, 1) for m in range(1, 13) if month_end(date(year, m, 1)) <= r]
    if not months:
        return None
    submitted = [
        m for m in months if (village, m) in ref.snapshots or _has_accepted(ref, village, m)
    ]
    files = []
    for f in _rows(con, "select * from raw.source_files where kind = 'roster'"):
        if f["village_code"] != village or f["period"] not in months:
            continue
        if f["status"] == "rejected":
            files.append(f["source_sha256"])
        elif _winner(ref, village, f["period"]) == f["source_sha256"]:
            files.append(f["source_sha256"])
    acc = rej = 0
    for s in _rows(con, "select * from raw.sheet_accounting where sheet = '人员台账'"):
        if s["source_sha256"] in files:
            acc += s["rows_accepted"]
            rej += s["rows_rejected"]
    rows_part = acc / (acc + rej) if acc + rej else 1.0
    return len(submitted) / len(months) * rows_part


def _has_accepted(ref: Reference, village: str, month: date) -> bool:
    return _winner(ref, village, month) is not None


def _winner(ref: Reference, village: str, month: date) -> str | None:
    best = None
    for f in ref.files.values():
        if f["kind"] == "roster" and f["village_code"] == village and f["period"] == month:
            if best is None or ref._order(f) > ref._order(best):
                best = f
    return best["source_sha256"] if best else None


def assessment(ref: Reference, con: Any, village_figures: dict) -> tuple[dict, dict]:
    """kpis.md Village assessment: "each item scores weight × min(value / target, 1); rate
    items whose value is NULL (nothing to place) score full weight and are marked 不适用";
    "Total score = sum of items (0–100, two decimals) ... Rank: by score descending, ties
    share the rank (1, 2, 2, 4)". Village targets (kpis.md): "the town's pacing target divided
    by the number of active villages, rounded up", unless the centre's village_targets table
    says otherwise. DECISIONS: no target → 不适用, full weight; a target ≤ 0 → full weight."""
    items_seed = _seed("assessment_items.csv")
    town_targets = {(int(t["year"]), t["indicator_code"]): float(t["target"])
                    for t in _seed("town_targets.csv") if t["target"]}  # fmt: skip
    overrides = {(int(t["year"]), t["village_code"], t["indicator_code"]): float(t["target"])
                 for t in _seed("village_targets.csv")}  # fmt: skip
    items: dict[tuple[int, str, str], Item] = {}
    summary: dict[tuple[int, str], tuple[float, str, int]] = {}
    for y in ref.years:
        active = ref.active_villages(reference_date(y, ref.as_of))
        totals: dict[str, float] = {}
        for v in active:
            total = 0.0
            for it in items_seed:
                code, weight = it["indicator_code"], float(it["weight"])
                if code == "data_quality":
                    value = data_quality(ref, con, y, v)
                else:
                    value = village_figures[(y, v, code)].value
                if it["target_source"] == "village_target":
                    target = overrides.get((y, v, code))
                    if target is None and (y, code) in town_targets:
                        target = float(math.ceil(town_targets[(y, code)] / len(active)))
                else:
                    target = float(it["target_source"])
                if target is None or (value is None and code not in COUNTS):
                    item = Item(value, target, weight, weight, True)
                elif target <= 0:
                    item = Item(value, target, weight, weight, False)
                else:
                    score = weight * min((value or 0) / target, 1.0)
                    item = Item(value, target, weight, score, False)
                items[(y, v, it["item"])] = item
                total += item.score
            totals[v] = _round2(total)
        for v, score in totals.items():
            grade = next((g for limit, g in GRADES if score >= limit), "不合格")
            rank = 1 + sum(1 for s in totals.values() if s > score)
            summary[(y, v)] = (score, grade, rank)
    return items, summary


def _round2(x: float) -> float:
    from decimal import ROUND_HALF_UP, Decimal

    return float(Decimal(repr(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
