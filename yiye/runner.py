"""The nightly job as one call: `run_nightly(home)` (used by `yiye run` and `yiye demo`).

Runs the Dagster job in this process against the persistent instance in home/dagster (so
the run shows in `yiye ui`), holding the warehouse lock. The job itself builds on a copy of
the warehouse and swaps it in only when every step succeeded (orchestration/resources.py).
Every run, successful or not, is appended to home/logs/runs.jsonl and home/logs/yiye.log.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from yiye.building import discard_building
from yiye.config import Home, today_shanghai
from yiye.locking import LockTimeout, WarehouseLock
from yiye.runlog import append_run, code_version, get_logger, now_iso, set_progress_hook

JOB_NAME = "nightly_job"
TRIGGER_TAG = "yiye/trigger"
PID_TAG = "yiye/pid"


@dataclass
class RunResult:
    ok: bool
    status: str  # success | up_to_date | failed | locked
    run_id: str | None
    as_of: str
    started_at: str
    ended_at: str
    code_version: str
    error: str | None = None
    files_seen: int | None = None
    files_ingested: int | None = None
    files_rejected: int | None = None
    files_skipped: int | None = None
    files_failed: int | None = None
    rows_accepted: int | None = None
    rows_rejected: int | None = None
    reports: list[str] = field(default_factory=list)
    home: str = ""

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def record(self) -> dict[str, Any]:
        return asdict(self)


def _stderr_progress(quiet: bool) -> Callable[[str], None]:
    def emit(message: str) -> None:
        if not quiet:
            print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    return emit


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_interrupted_runs(instance: Any, log: Callable[[str], None]) -> int:
    """Mark runs of a killed `yiye run` process as failed (we hold the lock, so none is live)."""
    import dagster as dg

    stale = instance.get_runs(
        filters=dg.RunsFilter(
            statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING],
            tags={TRIGGER_TAG: "cli"},
        )
    )
    count = 0
    for run in stale:
        pid = int(run.tags.get(PID_TAG, "0") or 0)
        if pid and pid != os.getpid() and _pid_alive(pid):
            continue
        instance.report_run_failed(run, "进程被中断，本次运行未完成 (process was killed)")
        log(f"上次运行 {run.run_id[:8]} 被中断，已标记为失败 (marked interrupted run as failed)")
        count += 1
    return count


def _first_line(text: str | None) -> str:
    lines = [ln for ln in (text or "").strip().splitlines() if ln.strip()]
    return lines[0].strip() if lines else "失败"


def _error_text(result: Any) -> str:
    messages = []
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data is not None:
            err = event.step_failure_data.error
            cause = err.cause if err is not None and err.cause is not None else err
            messages.append(f"{event.step_key}: {_first_line(cause.message if cause else None)}")
        elif (event.is_resource_init_failure or event.is_run_failure) and not messages:
            data = event.event_specific_data
            err = getattr(data, "error", None)
            if err is not None:
                cause = err.cause if err.cause is not None else err
                messages.append(_first_line(cause.message))
    seen: list[str] = []
    for m in messages:
        if m not in seen:
            seen.append(m)
    return "；".join(seen) or "运行失败 (run failed)"


DAGSTER_YAML = "telemetry:\n  enabled: false\n"


def prepare_dagster_home(home: Home) -> Path:
    """home/dagster with a dagster.yaml (local sqlite storage, no telemetry)."""
    home.dagster_home.mkdir(parents=True, exist_ok=True)
    cfg = home.dagster_home / "dagster.yaml"
    if not cfg.exists():
        cfg.write_text(DAGSTER_YAML, encoding="utf-8")
    return home.dagster_home


def _ingest_counts(result: Any) -> dict[str, int | None]:
    counts: dict[str, int | None] = {}
    for event in result.get_asset_materialization_events():
        mat = event.step_materialization_data.materialization
        if mat is None or mat.asset_key.path != ["raw", "source_files"]:
            continue
        meta = {k: getattr(v, "value", v) for k, v in mat.metadata.items()}
        counts["files_seen"] = meta.get("files_seen")
        counts["files_ingested"] = meta.get("files_new", meta.get("files_accepted"))
        counts["files_rejected"] = meta.get("files_rejected")
        for key in ("files_skipped", "files_failed", "rows_accepted", "rows_rejected"):
            counts[key] = meta.get(key)
    return counts


def _report_paths(result: Any) -> list[str]:
    paths: list[str] = []
    for event in result.get_asset_materialization_events():
        mat = event.step_materialization_data.materialization
        if mat is None or mat.asset_key.path[0] != "reports":
            continue
        files = mat.metadata.get("files")
        if files is not None:
            paths.extend(p for p in str(getattr(files, "value", files)).splitlines() if p)
    return sorted(paths)


def run_nightly(
    home: Home,
    *,
    inbox: Path | None = None,
    as_of: date | None = None,
    quiet: bool = False,
    progress: Callable[[str], None] | None = None,
    lock_timeout: float | None = None,
    force: bool = False,
) -> RunResult:
    """Run the nightly job; with nothing new (yiye/uptodate.py) and not ``force``, only
    record an ``up_to_date`` run and return (no Dagster, no dbt)."""
    home = Home(home.root).ensure()
    os.environ.update(home.env())
    as_of = as_of or today_shanghai()
    emit = progress or _stderr_progress(quiet)
    logger = get_logger(home)
    started = now_iso()
    version = code_version()

    def finish(result: RunResult) -> RunResult:
        append_run(home, result.record())
        if result.status == "up_to_date":
            logger.info(
                f"已是最新，未重建 (up to date) as_of={result.as_of} "
                f"收件箱文件 {result.files_seen} 个，无新文件"
            )
        elif result.ok:
            logger.info(
                f"运行成功 run {result.run_id} as_of={result.as_of} "
                f"新文件 {result.files_ingested} 拒收 {result.files_rejected} "
                f"报表 {len(result.reports)} 个"
            )
        else:
            logger.error(f"运行失败 run {result.run_id} ({result.status}): {result.error}")
        return result

    lock = WarehouseLock(home.lock_file, timeout=lock_timeout, on_wait=emit)
    try:
        lock.acquire()
    except LockTimeout as exc:
        return finish(
            RunResult(
                ok=False,
                status="locked",
                run_id=None,
                as_of=as_of.isoformat(),
                started_at=started,
                ended_at=now_iso(),
                code_version=version,
                error=str(exc),
                home=str(home.root),
            )
        )
    try:
        if not force:
            fast = _up_to_date_result(home, inbox, as_of, emit, started, version)
            if fast is not None:
                return finish(fast)
        return finish(_run_locked(home, inbox, as_of, quiet, emit, started, version))
    finally:
        set_progress_hook(None)
        lock.release()


def _up_to_date_result(
    home: Home,
    inbox: Path | None,
    as_of: date,
    emit: Callable[[str], None],
    started: str,
    version: str,
) -> RunResult | None:
    """The fast path: a RunResult with status up_to_date, or None when a rebuild is needed."""
    from yiye.uptodate import check_up_to_date

    try:
        check = check_up_to_date(home, as_of=as_of, inbox=Path(inbox) if inbox else None)
    except Exception as exc:  # noqa: BLE001 - when in doubt, rebuild
        emit(f"无法判断数据是否已是最新，将重新运行 (up-to-date check failed: {exc})")
        return None
    if not check.up_to_date:
        if check.new_files:
            emit(f"收件箱有 {len(check.new_files)} 个新文件 (new files)，开始运行")
        else:
            emit(f"需要重建 (rebuild needed): {check.reason}")
        return None
    emit("没有新文件，数据与报表已是最新，跳过重建 (nothing new; skipping the rebuild)")
    return RunResult(
        ok=True,
        status="up_to_date",
        run_id=None,
        as_of=as_of.isoformat(),
        started_at=started,
        ended_at=now_iso(),
        code_version=version,
        files_seen=check.files_seen,
        files_ingested=0,
        files_rejected=0,
        reports=check.reports,
        home=str(home.root),
    )


def _run_locked(
    home: Home,
    inbox: Path | None,
    as_of: date,
    quiet: bool,
    emit: Callable[[str], None],
    started: str,
    version: str,
) -> RunResult:
    import dagster as dg

    emit(f"准备运行，数据目录 {home.root}，基准日 {as_of.isoformat()} (preparing)")
    instance = dg.DagsterInstance.from_config(str(prepare_dagster_home(home)))
    run_id = None
    try:
        recover_interrupted_runs(instance, emit)
        discard_building(home)  # leftovers of a killed run
        emit("加载任务定义 (loading definitions; parses dbt project if changed)")
        from orchestration.definitions import defs

        job = defs.resolve_job_def(JOB_NAME)
        set_progress_hook(emit)
        run_config = {
            "resources": {
                "yiye": {
                    "config": {
                        "home": str(home.root),
                        "inbox": str(Path(inbox).resolve()) if inbox else "",
                        "as_of": as_of.isoformat(),
                    }
                }
            },
            # Dagster's own event log stays in the instance (see `yiye ui`); the user sees
            # our progress lines, and dbt's console output goes to logs/run_output.log.
            "loggers": {"console": {"config": {"log_level": "CRITICAL"}}},
        }
        with open(home.logs / "run_output.log", "a", encoding="utf-8") as out:
            out.write(f"\n===== {started} as_of={as_of.isoformat()} =====\n")
            out.flush()
            with contextlib.redirect_stdout(out):
                result = job.execute_in_process(
                    run_config=run_config,
                    instance=instance,
                    raise_on_error=False,
                    tags={TRIGGER_TAG: "cli", PID_TAG: str(os.getpid())},
                )
        run_id = result.run_id
        counts = _ingest_counts(result)
        reports = _report_paths(result)
        ok = result.success
        error = None if ok else _error_text(result)
        if ok:
            emit(f"运行完成，共发布 {len(reports)} 个报表 (done)")
        else:
            emit(f"运行失败，未发布新报表，原数据保持不变：{error}")
        return RunResult(
            ok=ok,
            status="success" if ok else "failed",
            run_id=run_id,
            as_of=as_of.isoformat(),
            started_at=started,
            ended_at=now_iso(),
            code_version=version,
            error=error,
            reports=reports if ok else [],
            home=str(home.root),
            **counts,
        )
    except Exception as exc:  # definitions failed to load, dbt parse failed, …
        discard_building(home)
        emit(f"运行失败 (run failed): {exc}")
        return RunResult(
            ok=False,
            status="failed",
            run_id=run_id,
            as_of=as_of.isoformat(),
            started_at=started,
            ended_at=now_iso(),
            code_version=version,
            error=f"{type(exc).__name__}: {exc}",
            home=str(home.root),
        )
    finally:
        instance.dispose()
