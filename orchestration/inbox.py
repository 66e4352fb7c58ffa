"""The state of an inbox folder, shared by the inbox sensor and the inbox source asset."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path


def _ignored(name: str) -> bool:
    # Office lock files (~$x.xlsx), hidden files and partial downloads are not hand-ins.
    return name.startswith(("~$", ".")) or name.endswith((".tmp", ".part", ".crdownload"))


@dataclass(frozen=True)
class InboxState:
    files: tuple[tuple[str, int, int], ...]  # (relative path, size, mtime_ns), sorted

    @property
    def fingerprint(self) -> str:
        h = hashlib.sha256()
        for rel, size, mtime in self.files:
            h.update(f"{rel}\0{size}\0{mtime}\n".encode())
        return h.hexdigest()

    @property
    def newest_mtime(self) -> float:
        return max((m for _r, _s, m in self.files), default=0) / 1e9

    def __len__(self) -> int:
        return len(self.files)


def scan_inbox(inbox: Path) -> InboxState:
    entries: list[tuple[str, int, int]] = []
    if inbox.is_dir():
        for dirpath, dirs, files in os.walk(inbox):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in files:
                if _ignored(name):
                    continue
                path = Path(dirpath) / name
                try:
                    st = path.stat()
                except FileNotFoundError:
                    continue
                entries.append((path.relative_to(inbox).as_posix(), st.st_size, st.st_mtime_ns))
    return InboxState(tuple(sorted(entries)))
