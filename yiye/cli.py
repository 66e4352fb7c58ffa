"""`yiye` command line (interface.md). Messages for users are Chinese (English in brackets).

Exit status: 0 success; 1 the run failed (nothing published); 2 bad usage.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from yiye.config import PROJECT_ROOT, Home


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日期格式应为 YYYY-MM-DD (expected an ISO date): {text}"
        ) from None


def _add_home(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--home",
        help="数据目录 (deployment folder); 默认 $YIYE_HOME 或 ./var",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="yiye",
        description="宜业高桥 就业服务数据仓库 (employment-service data warehouse)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")

    p = sub.add_parser("demo", help="生成演示收件箱并运行夜间任务 (synthetic inbox + run)")
    _add_home(p)
    p.add_argument("--scale", type=int, default=40, help="每个村居的人数 (persons per village)")
    p.add_argument("--seed", type=int, default=2022, help="随机种子 (random seed)")
    p.add_argument("--as-of", type=_iso_date, help="基准日 YYYY-MM-DD (default: today)")
    p.add_argument("--quiet", action="store_true", help="不显示进度 (no progress lines)")

    p = sub.add_parser("run", help="夜间任务：采集、建库、校验、发布报表 (the nightly job)")
    _add_home(p)
    p.add_argument("--inbox", type=Path, help="收件箱目录 (default: <home>/inbox)")
    p.add_argument("--as-of", type=_iso_date, help="基准日 YYYY-MM-DD (default: today)")
    p.add_argument("--quiet", action="store_true", help="只输出错误，适合 cron (for cron)")
    p.add_argument(
        "--force",
        action="store_true",
        help="即使没有新文件也重建数据仓库与报表 (rebuild even when nothing is new)",
    )

    p = sub.add_parser("status", help="最近运行、文件与本年度指标 (last runs, files, KPIs)")
    _add_home(p)

    p = sub.add_parser("audit-pack", help="生成或校验审计包 (build or verify an audit pack)")
    _add_home(p)
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--year", type=int, help="年度 (assessment year)")
    group.add_argument("--verify", type=Path, metavar="FILE", help="校验审计包 (verify a pack)")
    p.add_argument("--out", type=Path, help="输出文件 (output zip)")

    p = sub.add_parser("ui", help="启动 Dagster 界面与守护进程 (webserver + daemon)")
    _add_home(p)
    p.add_argument("--port", type=int, default=3000, help="端口 (port), default 3000")
    p.add_argument("--host", default="127.0.0.1", help="监听地址 (bind address)")
    return parser


def _print_run_outcome(result, home: Home) -> None:
    if result.status == "up_to_date":
        from yiye.uptodate import UpToDate, up_to_date_message

        check = UpToDate(True, "up to date", result.reports)
        print(up_to_date_message(check, _iso_date(result.as_of)))
        return
    if result.ok:
        print(f"运行成功 (run succeeded)，运行编号 {result.run_id}")
        if result.files_ingested is not None:
            print(f"新文件 {result.files_ingested} 个，拒收 {result.files_rejected or 0} 个")
        print(f"报表目录 (reports): {home.reports}")
        for path in result.reports:
            print(f"  {path}")
    else:
        _err("运行失败，未发布新报表，原有数据与报表保持不变。(run failed; nothing published)")
        _err(f"原因 (reason): {result.error}")
        _err(f"详见日志 (log): {home.logs / 'yiye.log'}")


def cmd_run(args: argparse.Namespace) -> int:
    from yiye.runner import run_nightly

    home = Home.resolve(args.home)
    result = run_nightly(
        home, inbox=args.inbox, as_of=args.as_of, quiet=args.quiet, force=args.force
    )
    if not (args.quiet and result.ok):
        _print_run_outcome(result, home)
    return result.exit_code


def _inbox_is_empty(inbox: Path) -> bool:
    return not inbox.exists() or not any(p.is_file() for p in inbox.rglob("*"))


def cmd_demo(args: argparse.Namespace) -> int:
    from yiye.runner import run_nightly

    home = Home.resolve(args.home).ensure()
    progress = None if args.quiet else _err
    if _inbox_is_empty(home.inbox):
        from ingest.demo.generator import generate_inbox

        if progress:
            progress(f"生成演示收件箱 (generating demo inbox) → {home.inbox}")
        generate_inbox(home.inbox, scale=args.scale, seed=args.seed, progress=progress)
    elif progress:
        progress(f"收件箱已有文件，不再生成 (inbox not empty, keeping it): {home.inbox}")
    result = run_nightly(home, as_of=args.as_of, quiet=args.quiet)
    _print_run_outcome(result, home)
    if result.ok:
        print("查看状态: yiye status --home " + str(home.root))
    return result.exit_code


def cmd_status(args: argparse.Namespace) -> int:
    from yiye.status import render_status

    print(render_status(Home.resolve(args.home)))
    return 0


def cmd_audit_pack(args: argparse.Namespace) -> int:
    from yiye import audit

    if args.verify:
        result = audit.verify_audit_pack(args.verify)
        if result.ok:
            print(f"审计包校验通过 (audit pack verified): {args.verify}")
            return 0
        _err(f"审计包校验未通过 (audit pack verification FAILED): {args.verify}")
        for problem in result.problems:
            _err(f"  - {problem}")
        return 1
    home = Home.resolve(args.home)
    try:
        path = audit.build_audit_pack(home, args.year, out=args.out)
    except FileNotFoundError as exc:
        _err(f"无法生成审计包，缺少文件 (missing file): {exc}")
        return 1
    print(f"审计包已生成 (audit pack written): {path}")
    return 0


WORKSPACE_YAML = """load_from:
  - python_module:
      module_name: orchestration.definitions
      location_name: yiye
      working_directory: {root}
"""


def write_workspace(home: Home) -> Path:
    path = home.dagster_home / "workspace.yaml"
    path.write_text(WORKSPACE_YAML.format(root=PROJECT_ROOT), encoding="utf-8")
    return path


def _venv_tool(name: str) -> str:
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else name


def cmd_ui(args: argparse.Namespace) -> int:
    from yiye.runner import prepare_dagster_home

    home = Home.resolve(args.home).ensure()
    prepare_dagster_home(home)
    workspace = write_workspace(home)
    env = {**os.environ, **home.env()}
    from orchestration.project import ensure_manifest

    ensure_manifest()
    web = [_venv_tool("dagster-webserver"), "-w", str(workspace)]
    web += ["-h", args.host, "-p", str(args.port)]
    daemon = [_venv_tool("dagster-daemon"), "run", "-w", str(workspace)]
    procs = [
        subprocess.Popen(web, env=env, cwd=PROJECT_ROOT),
        subprocess.Popen(daemon, env=env, cwd=PROJECT_ROOT),
    ]
    print(f"Dagster 界面 (UI): http://{args.host}:{args.port}  — 按 Ctrl-C 退出 (Ctrl-C to stop)")
    stop = {"now": False}

    def _stop(_sig, _frame) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, _stop)
    code = 0
    try:
        while not stop["now"]:
            dead = [p for p in procs if p.poll() is not None]
            if dead:
                _err("Dagster 进程意外退出 (a Dagster process exited)")
                code = 1
                break
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
    return code


COMMANDS = {
    "demo": cmd_demo,
    "run": cmd_run,
    "status": cmd_status,
    "audit-pack": cmd_audit_pack,
    "ui": cmd_ui,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return COMMANDS[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
