"""sha256 of inbox files, cached by (path, size, mtime_ns).

Deciding whether the inbox holds anything new must not re-read every unchanged workbook each
night (at town scale ~1,200 files, hundreds of MB). The cache maps
``absolute path + size + mtime_ns`` to the content hash; any change of size or modification
time (which every copy, save or ``touch`` changes) makes the file hashed again. The cache is
only an accelerator: deleting it is always safe (``home/.cache/inbox_sha256.json``).
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from pathlib import Path

CACHE_NAME = "inbox_sha256.json"
_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def cache_path(home_root: Path) -> Path:
    return Path(home_root) / ".cache" / CACHE_NAME


def _key(path: Path, st: os.stat_result) -> str:
    return f"{Path(path).resolve()}\0{st.st_size}\0{st.st_mtime_ns}"


class HashCache:
    """Load once, look up many, ``save()`` once (atomic; keeps only the entries used)."""

    def __init__(self, path: Path | None):
        self.path = path
        self._old: dict[str, str] = {}
        self._used: dict[str, str] = {}
        self.hashed = 0  # files actually read in this session (for tests and progress)
        if path is not None:
            try:
                data = json.loads(Path(path).read_text(encoding="utf-8"))
                if isinstance(data, dict):
                    self._old = {str(k): str(v) for k, v in data.items()}
            except (OSError, ValueError):
                self._old = {}

    @classmethod
    def for_home(cls, home_root: Path) -> HashCache:
        return cls(cache_path(home_root))

    def sha256(self, path: Path, st: os.stat_result | None = None) -> str:
        st = st if st is not None else os.stat(path)
        key = _key(path, st)
        sha = self._used.get(key) or self._old.get(key)
        if sha is None:
            sha = sha256_file(Path(path))
            after = os.stat(path)
            self.hashed += 1
            if (after.st_size, after.st_mtime_ns) != (st.st_size, st.st_mtime_ns):
                return sha  # changed while being read: do not cache
        self._used[key] = sha
        return sha

    def save(self) -> None:
        if self.path is None or self._used == self._old:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex}")
            tmp.write_text(json.dumps(self._used, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:  # a cache that cannot be written only costs speed
            pass
