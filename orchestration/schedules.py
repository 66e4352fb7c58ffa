"""The nightly schedule: 02:00 Asia/Shanghai, every day."""

from __future__ import annotations

from typing import Any

import dagster as dg

NIGHTLY_CRON = "0 2 * * *"
NIGHTLY_TIMEZONE = "Asia/Shanghai"


def nightly_schedule(job: Any) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="nightly",
        job=job,
        cron_schedule=NIGHTLY_CRON,
        execution_timezone=NIGHTLY_TIMEZONE,
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description="每天凌晨 2:00（北京时间）运行夜间任务：采集、建库、校验、发布报表。",
    )
