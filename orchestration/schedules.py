"""The nightly schedule: 02:00 Asia/Shanghai, every day.

Like `yiye run`, a tick whose inbox holds nothing new (and whose as_of, code and dbt project
are those of the last full build, with every workbook in place) is skipped with a
SkipReason instead of rebuilding (yiye/uptodate.py). The as_of of a scheduled run is the
tick's date in Asia/Shanghai, so every new day normally rebuilds: the reporting date moved.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import dagster as dg

from yiye.config import TZ, Home, today_shanghai

NIGHTLY_CRON = "0 2 * * *"
NIGHTLY_TIMEZONE = "Asia/Shanghai"


def tick_as_of(scheduled: datetime | None) -> date:
    if scheduled is None:
        return today_shanghai()
    if scheduled.tzinfo is None:
        return scheduled.date()
    return scheduled.astimezone(TZ).date()


def up_to_date_skip(as_of: date) -> dg.SkipReason | None:
    """A SkipReason when the home's published data is already up to date, else None."""
    from yiye.uptodate import check_up_to_date, up_to_date_message

    try:
        check = check_up_to_date(Home.resolve(), as_of=as_of)
    except Exception:  # noqa: BLE001 - when in doubt, run
        return None
    if not check.up_to_date:
        return None
    return dg.SkipReason(up_to_date_message(check, as_of))


def nightly_schedule(job: Any) -> dg.ScheduleDefinition:
    @dg.schedule(
        name="nightly",
        job=job,
        cron_schedule=NIGHTLY_CRON,
        execution_timezone=NIGHTLY_TIMEZONE,
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description=(
            "每天凌晨 2:00（北京时间）运行夜间任务：采集、建库、校验、发布报表；"
            "没有新文件且数据已是最新时跳过。"
        ),
    )
    def nightly(context: dg.ScheduleEvaluationContext):
        as_of = tick_as_of(context.scheduled_execution_time)
        skip = up_to_date_skip(as_of)
        if skip is not None:
            return skip
        return dg.RunRequest(
            run_config={"resources": {"yiye": {"config": {"as_of": as_of.isoformat()}}}},
            tags={"yiye/trigger": "schedule"},
        )

    return nightly
