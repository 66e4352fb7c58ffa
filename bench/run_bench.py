"""Town-scale benchmarks (issue 7). Run by hand, never in CI; results go into BENCHMARKS.md.

    .venv/bin/python bench/run_bench.py --scale 2500 --end 2026-10 --work /tmp/yiye-bench

Scenarios (each a separate process, wall time and peak RSS from /usr/bin/time — the RSS of
the largest single process of the tree, e.g. dbt's DuckDB, not the sum of the ingest's
parser processes):
  generate   the synthetic history (not a target, for reference)
  floor      python-calamine alone over the same files (rows/s) and DuckDB scanning raw
  initial    `yiye run` on the whole history into a fresh home (end-to-end)
  stages     ingest alone, dbt build alone, reports alone (fresh home)
  increment  one new month for every village (its 20 roster workbooks) on top of the
             history (`yiye run`, as_of = the new month's end), each repeat on a fresh copy
             of the initially loaded home
  nothing    `yiye run` again with nothing new and the same as_of (the up-to-date fast path;
             a new as_of — the next day — rebuilds by design)
With --short-history YYYY-MM the increment is also measured on a shorter history, to show
that its cost follows the new files, not the history. --only-ingest measures just the floor
and the ingest stage (on WORK/inbox-hist if it exists, so a change to the ingest can be
compared on the same files).
Prints one JSON line per measurement and writes them to WORK/results.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
YIYE = str(ROOT / ".venv" / "bin" / "yiye")


def month_end(ym: str) -> str:
    y, m = map(int, ym.split("-"))
    nxt = date(y + (m == 12), m % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1).isoformat()


def prev_month(ym: str) -> str:
    y, m = map(int, ym.split("-"))
    return f"{y - (m == 1)}-{(m - 2) % 12 + 1:02d}"


def timed(cmd: list[str], env: dict | None = None) -> dict:
    """Run cmd under GNU time; return seconds and peak RSS (MB)."""
    out = subprocess.run(
        ["/usr/bin/time", "-f", "TIME %e %M", *cmd],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    line = [ln for ln in out.stderr.splitlines() if ln.startswith("TIME ")][-1]
    _, secs, kb = line.split()
    if out.returncode != 0:
        sys.stderr.write(out.stdout[-3000:] + out.stderr[-3000:])
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return {"seconds": float(secs), "peak_rss_mb": round(int(kb) / 1024), "stdout": out.stdout}


def generate(inbox: Path, scale: int, end: str, seed: int) -> dict:
    if inbox.exists():
        shutil.rmtree(inbox)
    return timed(
        [
            PY,
            "-m",
            "ingest.demo",
            "--inbox",
            str(inbox),
            "--scale",
            str(scale),
            "--seed",
            str(seed),
            "--end",
            end,
            "--quiet",
        ]
    )


ROSTER_DIR = "村居台账"  # sources.md: the monthly village rosters


def new_roster_files(hist: Path, full: Path) -> list[Path]:
    """Files of ``full`` whose path is not in ``hist``, among the village rosters: the new
    month's 20 roster workbooks. (The generator also re-renders the enterprise exports and
    the running half-year training log when the history is longer; a nightly increment is the
    new month's rosters, so those are left out.)"""
    return sorted(
        p
        for p in (full / ROSTER_DIR).rglob("*")
        if p.is_file() and not (hist / p.relative_to(full)).exists()
    )


def copy_files(src_root: Path, files: list[Path], inbox: Path) -> int:
    for p in files:
        dst = inbox / p.relative_to(src_root)
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(p, dst)
    return len(files)


def as_of_for(ym: str) -> str:
    """Month end, but never after today (as_of in the future is not a real nightly)."""
    return min(month_end(ym), date.today().isoformat())


def run_yiye(home: Path, as_of: str, *extra: str) -> dict:
    return timed(
        [YIYE, "run", "--home", str(home), "--as-of", as_of, "--quiet", *extra],
        env={"YIYE_PERSON_KEY": "bench-key"},
    )


def last_run(home: Path) -> dict:
    lines = (home / "logs" / "runs.jsonl").read_text(encoding="utf-8").splitlines()
    return json.loads(lines[-1])


def record(results: list, work: Path, name: str, **kw) -> None:
    kw.pop("stdout", None)
    row = {"scenario": name, **kw}
    print(json.dumps(row, ensure_ascii=False), flush=True)
    results.append(row)
    with (work / "results.jsonl").open("a") as f:
        f.write(json.dumps(row, ensure_ascii=False) + "\n")


def increment_scenario(results, work, label, hist_inbox, full_inbox, end, repeats) -> None:
    """Initial load of the history once; then, on a copy of that home per repeat, the new
    month's rosters and one `yiye run` (the nightly increment, as_of = the new month's end);
    finally runs with nothing new on the last copy (same as_of: the fast path)."""
    added = new_roster_files(hist_inbox, full_inbox)
    n_hist = sum(1 for p in hist_inbox.rglob("*") if p.is_file())
    base = work / f"home-{label}-base"
    shutil.rmtree(base, ignore_errors=True)
    copy_files(hist_inbox, [p for p in hist_inbox.rglob("*") if p.is_file()], base / "inbox")
    initial = run_yiye(base, as_of_for(prev_month(end)))
    record(
        results,
        work,
        f"initial[{label}]",
        files=n_hist,
        status=last_run(base)["status"],
        rows=_raw_rows(base),
        **initial,
    )
    times, mems, home = [], [], base
    for i in range(repeats):
        home = work / f"home-{label}-{i}"
        shutil.rmtree(home, ignore_errors=True)
        shutil.copytree(base, home, symlinks=True)
        copy_files(full_inbox, added, home / "inbox")
        inc = run_yiye(home, as_of_for(end))
        run = last_run(home)
        if run["status"] != "success" or run.get("files_ingested") != len(added):
            raise SystemExit(f"increment did not ingest the {len(added)} new files: {run}")
        times.append(inc["seconds"])
        mems.append(inc["peak_rss_mb"])
        if i < repeats - 1:
            shutil.rmtree(home, ignore_errors=True)
    record(
        results,
        work,
        f"increment[{label}]",
        new_files=len(added),
        history_files=n_hist,
        runs=times,
        median_seconds=statistics.median(times),
        peak_rss_mb=max(mems),
    )
    nothing, statuses = [], []
    for _ in range(repeats):
        nothing.append(run_yiye(home, as_of_for(end)))
        # "up_to_date" expected; "success" means it rebuilt (e.g. the checkout changed
        # between runs: code version and dbt project are part of the up-to-date test)
        statuses.append(last_run(home)["status"])
    record(
        results,
        work,
        f"nothing_new[{label}]",
        statuses=statuses,
        runs=[r["seconds"] for r in nothing],
        median_seconds=statistics.median(r["seconds"] for r in nothing),
        peak_rss_mb=max(r["peak_rss_mb"] for r in nothing),
    )
    shutil.rmtree(home, ignore_errors=True)
    shutil.rmtree(base, ignore_errors=True)


def _raw_rows(home: Path) -> int | None:
    import duckdb

    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute("select count(*) from raw.roster_rows").fetchone()[0]
    finally:
        con.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=2500)
    ap.add_argument("--end", default=date.today().strftime("%Y-%m"), help="newest month YYYY-MM")
    ap.add_argument("--short-history", default=None, help="end month of a shorter history")
    ap.add_argument("--seed", type=int, default=2022)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--work", type=Path, default=Path("/tmp/yiye-bench"))
    ap.add_argument(
        "--only-ingest",
        action="store_true",
        help="only the calamine floor and the ingest stage (reuses WORK/inbox-hist if present)",
    )
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    results: list = []
    record(
        results,
        a.work,
        "machine",
        python=platform.python_version(),
        cpus=os.cpu_count(),
        platform=platform.platform(),
        scale=a.scale,
        end=a.end,
    )

    full = a.work / "inbox-full"
    hist = a.work / "inbox-hist"
    if a.only_ingest and hist.is_dir():
        pass  # the same files as the last full run: figures stay comparable
    elif a.only_ingest:
        generate(hist, a.scale, prev_month(a.end), a.seed)
    else:
        record(results, a.work, "generate", **generate(full, a.scale, a.end, a.seed))
        generate(hist, a.scale, prev_month(a.end), a.seed)

    floor = timed([PY, str(ROOT / "bench" / "floor_calamine.py"), str(hist)])
    record(
        results,
        a.work,
        "floor_calamine",
        **json.loads(floor["stdout"]),
        peak_rss_mb=floor["peak_rss_mb"],
    )

    # Stages on their own, on the history.
    home = a.work / "home-stages"
    shutil.rmtree(home, ignore_errors=True)
    copy_files(hist, [p for p in hist.rglob("*") if p.is_file()], home / "inbox")
    as_of = as_of_for(prev_month(a.end))
    env = {"YIYE_PERSON_KEY": "bench-key", "YIYE_HOME": str(home)}
    ingest = timed(
        [
            PY,
            "-c",
            "import time; from yiye.config import Home; from ingest.pipeline import "
            "ingest_inbox; t = time.perf_counter(); "
            f"s = ingest_inbox(Home.resolve('{home}').ensure()); "
            "print(s.rows_read, time.perf_counter() - t)",
        ],
        env=env,
    )
    rows, ingest_s = ingest["stdout"].split()[-2:]
    record(
        results, a.work, "stage_ingest", rows=int(rows), ingest_seconds=float(ingest_s), **ingest
    )
    floor_s = json.loads(floor["stdout"])["seconds"]
    record(
        results,
        a.work,
        "ingest_vs_floor",
        # both without interpreter start-up and imports (the floor times its loop only)
        ratio=round(float(ingest_s) / floor_s, 2) if floor_s else None,
        ratio_process=round(ingest["seconds"] / floor_s, 2) if floor_s else None,
        target="<= 2",
    )
    if a.only_ingest:
        shutil.rmtree(home, ignore_errors=True)
        return
    gx = timed(
        [
            PY,
            "-c",
            "from pathlib import Path; from ingest.gx_checks import run_gx_suites; "
            f"r = run_gx_suites(Path('{home}/warehouse.duckdb'), scope='all'); "
            "print(sum(not x.success for x in r))",
        ],
        env=env,
    )
    record(results, a.work, "stage_gx", failed=int(gx["stdout"].split()[-1]), **gx)
    scan = timed(
        [
            PY,
            "-c",
            "import duckdb, time; c = duckdb.connect("
            f"'{home}/warehouse.duckdb', read_only=True); t = time.perf_counter(); "
            "n = c.execute('select count(*), count(distinct person_key), "
            "sum(case when employment_status = $$登记失业$$ then 1 else 0 end) "
            "from raw.roster_rows').fetchone()[0]; "
            "print(n, time.perf_counter() - t)",
        ],
        env=env,
    )
    n, secs = scan["stdout"].split()
    record(
        results,
        a.work,
        "floor_duckdb_scan",
        rows=int(n),
        scan_seconds=float(secs),
        peak_rss_mb=scan["peak_rss_mb"],
    )
    dbt = timed(
        [
            str(ROOT / ".venv" / "bin" / "dbt"),
            "build",
            "--exclude-resource-type",  # as the nightly job (orchestration/assets/dbt.py)
            "unit_test",
            "--project-dir",
            str(ROOT / "dbt_project"),
            "--profiles-dir",
            str(ROOT / "dbt_project"),
            "--target-path",
            str(a.work / "dbt-target"),
            "--log-path",
            str(a.work / "dbt-logs"),
            "--vars",
            json.dumps({"as_of": as_of, "first_year": 2022}),
            "--quiet",
        ],
        env={**env, "YIYE_WAREHOUSE": str(home / "warehouse.duckdb")},
    )
    record(results, a.work, "stage_dbt_build", **dbt)
    run_results = json.loads((a.work / "dbt-target" / "run_results.json").read_text())
    slowest = sorted(run_results["results"], key=lambda r: -r["execution_time"])[:12]
    record(
        results,
        a.work,
        "dbt_slowest_nodes",
        nodes=[[r["unique_id"], round(r["execution_time"], 2)] for r in slowest],
        nodes_total=len(run_results["results"]),
        sum_seconds=round(sum(r["execution_time"] for r in run_results["results"]), 1),
    )
    docs = timed(
        [
            str(ROOT / ".venv" / "bin" / "dbt"),
            "docs",
            "generate",
            "--no-compile",
            "--static",
            "--project-dir",
            str(ROOT / "dbt_project"),
            "--profiles-dir",
            str(ROOT / "dbt_project"),
            "--target-path",
            str(a.work / "dbt-target"),
            "--log-path",
            str(a.work / "dbt-logs"),
            "--vars",
            json.dumps({"as_of": as_of, "first_year": 2022}),
            "--quiet",
        ],
        env={**env, "YIYE_WAREHOUSE": str(home / "warehouse.duckdb")},
    )
    record(results, a.work, "stage_dbt_docs", **docs)
    years = list(range(2022, int(as_of[:4]) + 1))
    rep = timed(
        [
            PY,
            "-c",
            "from yiye.config import Home; from reports.publish import "
            f"publish_reports; publish_reports(Home.resolve('{home}'), {years}, "
            "run_id='bench', code_version='bench')",
        ],
        env=env,
    )
    record(results, a.work, "stage_reports", years=len(years), **rep)
    shutil.rmtree(home, ignore_errors=True)

    increment_scenario(results, a.work, "full", hist, full, a.end, a.repeats)
    if a.short_history:
        sh_prev = a.work / "inbox-short-hist"
        sh_full = a.work / "inbox-short-full"
        generate(sh_prev, a.scale, prev_month(a.short_history), a.seed)
        generate(sh_full, a.scale, a.short_history, a.seed)
        increment_scenario(results, a.work, "short", sh_prev, sh_full, a.short_history, a.repeats)


if __name__ == "__main__":
    main()
