"""inbox_sensor: start the nightly job when files in the inbox are new or changed.

Cursor (JSON): ``seen`` = fingerprint of (path, size, mtime) of the inbox at the last tick,
``since`` = when that state was first seen, ``ran`` = fingerprint that last started a run.
A run is requested only when the inbox has stayed unchanged for the debounce period
(``YIYE_INBOX_DEBOUNCE_SECONDS``, default 60), so a clerk copying twenty files makes one run.
A settled change that brings no new content (a file touched or copied again: every sha256
already ingested, yiye/uptodate.py) is skipped like the nightly schedule skips it.
"""

import json
import os
import time
from collections.abc import Callable
from typing import Any

import dagster as dg

from orchestration.inbox import scan_inbox
from yiye.config import Home

DEBOUNCE_ENV = "YIYE_INBOX_DEBOUNCE_SECONDS"
DEFAULT_DEBOUNCE_SECONDS = 60.0


def debounce_seconds() -> float:
    try:
        return float(os.environ.get(DEBOUNCE_ENV) or DEFAULT_DEBOUNCE_SECONDS)
    except ValueError:
        return DEFAULT_DEBOUNCE_SECONDS


def _now() -> float:
    return time.time()


def evaluate_inbox(
    cursor: str | None,
    inbox,
    now: float,
    debounce: float,
    up_to_date: Callable[[], str | None] | None = None,
):
    """Pure decision: returns (run_key or None, skip message or None, new cursor).

    ``up_to_date`` (called only once the inbox has settled) returns a skip message when the
    published data is already up to date with this inbox, else None."""
    state = json.loads(cursor) if cursor else {}
    current = scan_inbox(inbox)
    if len(current) == 0:
        return None, "收件箱为空 (inbox is empty)", json.dumps({**state, "seen": None})
    fp = current.fingerprint
    if fp == state.get("ran"):
        return None, "收件箱没有变化 (no new or changed files)", cursor
    if fp != state.get("seen"):
        new = {**state, "seen": fp, "since": now}
        return (
            None,
            f"收件箱有变化，等待 {debounce:.0f} 秒无变化后再运行 (debouncing)",
            json.dumps(new),
        )
    if now - float(state.get("since", now)) < debounce:
        return None, "文件可能仍在复制中，稍后再检查 (still settling)", cursor
    skip = up_to_date() if up_to_date is not None else None
    if skip:
        return None, skip, json.dumps({**state, "ran": fp})
    return fp, None, json.dumps({**state, "ran": fp})


def _up_to_date_today(inbox) -> str | None:
    from yiye.config import today_shanghai
    from yiye.uptodate import check_up_to_date, up_to_date_message

    as_of = today_shanghai()
    try:
        check = check_up_to_date(Home.resolve(), as_of=as_of, inbox=inbox)
    except Exception:  # noqa: BLE001 - when in doubt, run
        return None
    return up_to_date_message(check, as_of) if check.up_to_date else None


def build_inbox_sensor(job: Any) -> dg.SensorDefinition:
    @dg.sensor(
        name="inbox_sensor",
        job=job,
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="收件箱有新文件或文件有改动、且持续一段时间不再变化时，启动夜间任务。",
    )
    def inbox_sensor(context: dg.SensorEvaluationContext):
        inbox = Home.resolve().inbox
        run_key, skip, cursor = evaluate_inbox(
            context.cursor,
            inbox,
            _now(),
            debounce_seconds(),
            up_to_date=lambda: _up_to_date_today(inbox),
        )
        if cursor != context.cursor and cursor is not None:
            context.update_cursor(cursor)
        if run_key is None:
            return dg.SkipReason(skip)
        return dg.RunRequest(run_key=run_key[:32], tags={"yiye/trigger": "inbox_sensor"})

    return inbox_sensor
