"""Run history: home/logs/runs.jsonl (one JSON object per run) and home/logs/yiye.log."""

from __future__ import annotations

import json
import logging
import subprocess
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from yiye.config import PROJECT_ROOT, TZ, Home

RUNS_FILE = "runs.jsonl"
LOG_FILE = "yiye.log"


@cache
def code_version() -> str:
    """The git commit when running from a checkout, else the package version.

    Uses yiye.versioning (the audit pack's notion) when present, so both always agree."""
    try:
        from yiye.versioning import code_version as audit_code_version

        return audit_code_version()
    except ImportError:
        pass
    try:
        out = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        if out:
            return out
    except (OSError, subprocess.SubprocessError):
        pass
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("yiye-gaoqiao")
    except PackageNotFoundError:
        return "unknown"


def now_iso() -> str:
    return datetime.now(TZ).isoformat(timespec="seconds")


def runs_file(home: Home) -> Path:
    return home.logs / RUNS_FILE


def append_run(home: Home, record: dict[str, Any]) -> None:
    home.logs.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, ensure_ascii=False, default=str)
    with open(runs_file(home), "a", encoding="utf-8") as f:
        f.write(line + "\n")


def read_runs(home: Home) -> list[dict[str, Any]]:
    path = runs_file(home)
    if not path.exists():
        return []
    runs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            runs.append(json.loads(line))
        except json.JSONDecodeError:  # a line cut short by a killed process
            continue
    return runs


def get_logger(home: Home) -> logging.Logger:
    """A logger writing to home/logs/yiye.log (one handler per home file)."""
    home.logs.mkdir(parents=True, exist_ok=True)
    path = str(home.logs / LOG_FILE)
    logger = logging.getLogger(f"yiye.run.{path}")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    if not any(getattr(h, "baseFilename", None) == path for h in logger.handlers):
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
    return logger


# --- progress lines (stderr) ------------------------------------------------------------------
# The runner installs a hook; Dagster steps call `progress(...)` so a CLI user sees what is
# happening even though Dagster's own event log is kept quiet.
_progress_hook: list = []


def set_progress_hook(fn) -> None:
    _progress_hook.clear()
    if fn is not None:
        _progress_hook.append(fn)


def progress(message: str) -> None:
    for fn in _progress_hook:
        fn(message)
