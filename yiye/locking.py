"""One writer at a time: an advisory file lock on $YIYE_HOME/.warehouse.lock.

The lock is an ``fcntl.flock`` on an open file, so the operating system releases it when the
holding process dies (a run killed with SIGKILL never leaves a stale lock behind). Within one
process the lock is re-entrant: the CLI runner takes it first, and the Dagster resource that
also asks for it (runs started from the UI or the daemon) then finds it already held.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

DEFAULT_TIMEOUT_SECONDS = 600.0
LOCK_TIMEOUT_ENV = "YIYE_LOCK_TIMEOUT"

_held: dict[str, tuple[int, int]] = {}  # resolved path -> (fd, depth)
_guard = threading.Lock()


class LockTimeout(RuntimeError):
    """Another process kept the warehouse lock for longer than we were willing to wait."""

    def __init__(self, path: Path, waited: float) -> None:
        self.path = path
        self.waited = waited
        super().__init__(
            f"另一个任务正在写入数据仓库，已等待 {waited:.0f} 秒仍未结束，本次运行退出。"
            f"(Another run holds the warehouse lock {path}; gave up after {waited:.0f} s.)"
        )


def lock_timeout_from_env() -> float:
    raw = os.environ.get(LOCK_TIMEOUT_ENV)
    try:
        return float(raw) if raw else DEFAULT_TIMEOUT_SECONDS
    except ValueError:
        return DEFAULT_TIMEOUT_SECONDS


def held_by_this_process(path: Path) -> bool:
    with _guard:
        return str(Path(path).resolve()) in _held


class WarehouseLock:
    """Context manager: ``with WarehouseLock(home.lock_file, timeout=60): ...``."""

    def __init__(
        self,
        path: Path,
        *,
        timeout: float | None = None,
        poll: float = 0.2,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.timeout = lock_timeout_from_env() if timeout is None else timeout
        self.poll = poll
        self.on_wait = on_wait

    def acquire(self) -> None:
        key = str(self.path.resolve())
        with _guard:
            if key in _held:
                fd, depth = _held[key]
                _held[key] = (fd, depth + 1)
                return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        start = time.monotonic()
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - start
                if waited >= self.timeout:
                    os.close(fd)
                    raise LockTimeout(self.path, waited) from None
                if not told and self.on_wait is not None:
                    self.on_wait("另一个任务正在运行，等待其结束… (waiting for the warehouse lock)")
                    told = True
                time.sleep(self.poll)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        with _guard:
            _held[key] = (fd, 1)

    def release(self) -> None:
        key = str(self.path.resolve())
        with _guard:
            if key not in _held:
                return
            fd, depth = _held[key]
            if depth > 1:
                _held[key] = (fd, depth - 1)
                return
            del _held[key]
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def __enter__(self) -> WarehouseLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
