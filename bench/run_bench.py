"""Town-scale benchmarks (issue 7). Run by hand, never in CI; results go into BENCHMARKS.md.

    .venv/bin/python bench/run_bench.py --scale 2500 --end 2026-10 --work /tmp/yiye-bench

Scenarios (each a separate process, wall time and peak RSS from /usr/bin/time):
  generate   the synthetic history (not a target, for reference)
  floor      python-calamine alone over the same files (rows/s) and DuckDB scanning raw
  initial    `yiye run` on the whole history into a fresh home (end-to-end)
  stages     ingest alone, dbt build alone, reports alone (fresh home)
  increment  one new month for every village on top of the history (`yiye run`)
  nothing    a second `yiye run` with nothing new
With --short-history YYYY-MM the increment is also measured on a shorter history, to show
that its cost follows the new files, not the history.
Prints one JSON line per measurement and writes them to WORK/results.jsonl.
"""

from __future__ import annotations

import argparse
import hashlib
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


def sha_set(folder: Path) -> dict[str, Path]:
    return {hashlib.sha256(p.read_bytes()).hexdigest(): p for p in folder.rglob("*") if p.is_file()}


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


def copy_inbox(src: Path, home: Path, only: set[str] | None = None, shas=None) -> int:
    inbox = home / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    n = 0
    items = shas.items() if shas is not None else ((None, p) for p in src.rglob("*"))
    for sha, p in items:
        if not p.is_file() or (only is not None and sha not in only):
            continue
        dst = inbox / p.relative_to(src)
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(p, dst)
        n += 1
    return n


def run_yiye(home: Path, as_of: str) -> dict:
    return timed(
        [YIYE, "run", "--home", str(home), "--as-of", as_of, "--quiet"],
        env={"YIYE_PERSON_KEY": "bench-key"},
    )


def record(results: list, work: Path, name: str, **kw) -> None:
    kw.pop("stdout", None)
    row = {"scenario": name, **kw}
    print(json.dumps(row, ensure_ascii=False), flush=True)
    results.append(row)
    with (work / "results.jsonl").open("a") as f:
        f.write(json.dumps(row, ensure_ascii=False) + "\n")


def increment_scenario(results, work, label, hist_inbox, new_inbox, end, repeats) -> None:
    hist = sha_set(hist_inbox)
    new = sha_set(new_inbox)
    added = set(new) - set(hist)
    times, mems = [], []
    for i in range(repeats):
        home = work / f"home-{label}-{i}"
        shutil.rmtree(home, ignore_errors=True)
        copy_inbox(hist_inbox, home)
        base = run_yiye(home, month_end(prev_month(end)))
        if i == 0:
            record(results, work, f"initial[{label}]", files=len(hist), **base)
        copy_inbox(new_inbox, home, only=added, shas=new)
        inc = run_yiye(home, month_end(end))
        times.append(inc["seconds"])
        mems.append(inc["peak_rss_mb"])
        nothing = run_yiye(home, month_end(end))
        record(results, work, f"nothing_new[{label}]", **nothing)
        shutil.rmtree(home, ignore_errors=True)
    record(
        results,
        work,
        f"increment[{label}]",
        new_files=len(added),
        history_files=len(hist),
        runs=times,
        median_seconds=statistics.median(times),
        peak_rss_mb=max(mems),
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=2500)
    ap.add_argument("--end", default=date.today().strftime("%Y-%m"), help="newest month YYYY-MM")
    ap.add_argument("--short-history", default=None, help="end month of a shorter history")
    ap.add_argument("--seed", type=int, default=2022)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--work", type=Path, default=Path("/tmp/yiye-bench"))
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
    copy_inbox(hist, home)
    as_of = month_end(prev_month(a.end))
    env = {"YIYE_PERSON_KEY": "bench-key", "YIYE_HOME": str(home)}
    ingest = timed(
        [
            PY,
            "-c",
            "from yiye.config import Home; from ingest.pipeline import "
            f"ingest_inbox; s = ingest_inbox(Home.resolve('{home}').ensure()); "
            "print(s.rows_read)",
        ],
        env=env,
    )
    record(results, a.work, "stage_ingest", rows=int(ingest["stdout"].split()[-1]), **ingest)
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
    years = list(range(2022, int(a.end[:4]) + 1))
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
