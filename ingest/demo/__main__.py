"""python -m ingest.demo --inbox DIR --scale N --seed S [--start 2022-01] [--end 2024-12]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ingest.demo.generator import generate_inbox, parse_month


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ingest.demo", description="生成演示用收件箱数据")
    ap.add_argument("--inbox", required=True, type=Path)
    ap.add_argument("--scale", type=int, default=40)
    ap.add_argument("--seed", type=int, default=2022)
    ap.add_argument("--start", default="2022-01")
    ap.add_argument("--end", default=None, help="YYYY-MM (default: the current month)")
    ap.add_argument("--villages", type=int, default=None, help="only the first N villages")
    ap.add_argument("--clean", action="store_true", help="no deliberate mess")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args(argv)
    summary = generate_inbox(
        a.inbox,
        scale=a.scale,
        seed=a.seed,
        start=a.start,
        end=parse_month(a.end) if a.end else None,
        messy=not a.clean,
        villages=a.villages,
        progress=None if a.quiet else (lambda msg: print(msg, file=sys.stderr)),
    )
    rows = summary.rows_written
    print(
        f"files={len(summary.files)} villages={summary.villages} months={summary.months} "
        f"persons={summary.persons} roster_rows={summary.roster_rows} "
        f"referral_rows={summary.referral_rows} enterprises={summary.enterprises} "
        f"supports={summary.support_records} vacancies={summary.vacancies} "
        f"training_rows={summary.training_rows} injected={len(summary.injected)} "
        f"seconds={summary.seconds:.1f} rows_per_s={rows / max(summary.seconds, 1e-9):.0f} "
        f"roster_rows_per_s={summary.roster_rows / max(summary.seconds, 1e-9):.0f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
