"""Ingest the inbox into the `raw` schema (sources.md): archive, parse, one transaction per file."""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import shutil
import traceback
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

import duckdb
import pandas as pd

from ingest import raw_schema
from ingest.hashcache import HashCache
from ingest.parse import ParsedFile, Villages, load_villages, parse_path
from ingest.rules import Issue
from yiye.config import TZ, Home, connect_warehouse, today_shanghai
from yiye.privacy import keyed_hash, load_or_create_key, mask_id

TMP_PREFIX = ".yiye-tmp-"
PARALLEL_MIN_FILES = 64
# fork: workers only run the pure parser (no DuckDB, no logging), and fork needs no
# re-import of the caller's __main__ (spawn would re-run scripts without a main guard).
_START_METHOD = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})
ID_COLUMNS = {  # raw table -> (id column, key column, masked column)
    "roster_rows": ("id_number", "person_key", "id_masked"),
    "referral_rows": ("id_number", "person_key", "id_masked"),
    "training_rows": ("id_number", "person_key", "id_masked"),
    "startup_support": ("founder_id", "founder_key", "founder_id_masked"),
}


@dataclass
class IngestSummary:
    ingest_seq: int
    run_id: str
    files_seen: int = 0
    files_new: int = 0
    files_skipped: int = 0  # already ingested (same sha256)
    files_rejected: int = 0  # whole-file rejections (counted in files_new too)
    files_failed: int = 0  # unexpected error: rolled back, retried next run
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    rows_ignored: int = 0
    warnings: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    rejected_files: list[tuple[str, str]] = field(default_factory=list)  # (file, reason_code)
    errors: list[str] = field(default_factory=list)  # failed files: "file: ExceptionType"
    started_at: datetime | None = None
    finished_at: datetime | None = None


def now_local() -> datetime:
    """Shanghai wall-clock time, naive (the warehouse stores local timestamps)."""
    return datetime.now(TZ).replace(tzinfo=None, microsecond=0)


def iter_inbox(inbox: Path) -> Iterator[Path]:
    """Files under inbox, sorted; skips hidden files/folders, `~$` lock files, our temp files."""
    if not inbox.exists():
        return
    for dirpath, dirnames, filenames in os.walk(inbox):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith((".", "~$", TMP_PREFIX)) or name.lower() in IGNORED_NAMES:
                continue
            p = Path(dirpath) / name
            if p.is_file():
                yield p


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def archive_file(src: Path, archive_dir: Path, sha: str) -> Path:
    """Copy to archive/<sha256>.<ext> atomically (temp name + rename); idempotent."""
    ext = src.suffix.lower().lstrip(".")
    dest = archive_dir / (f"{sha}.{ext}" if ext else sha)
    if dest.exists():
        return dest
    archive_dir.mkdir(parents=True, exist_ok=True)
    tmp = archive_dir / f"{TMP_PREFIX}{uuid.uuid4().hex}"
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            tmp.unlink()
    return dest


def _columns(table: str) -> list[str]:
    return _COLUMNS[table]


_COLUMNS = {t: raw_schema.columns(t) for t in raw_schema.TABLES}


class Rows:
    """Rows of one raw table as columns (raw column -> list of values, all of one length).

    Indexing and iterating give a row as a dict (for tests and error paths; the writer only
    uses the columns)."""

    __slots__ = ("columns", "n")

    def __init__(self, columns: dict[str, list], n: int):
        self.columns, self.n = columns, n

    @classmethod
    def from_dicts(cls, table: str, records: list[dict]) -> Rows:
        return cls({c: [r.get(c) for r in records] for c in _columns(table)}, len(records))

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> dict:
        if not -self.n <= i < self.n:
            raise IndexError(i)
        return {c: v[i] for c, v in self.columns.items()}

    def __iter__(self) -> Iterator[dict]:
        return (self[i] for i in range(self.n))


def _frame(table: str, records: Rows | list[dict]) -> pd.DataFrame:
    """Column-wise (much faster than DataFrame.from_records on a list of dicts)."""
    cols = _columns(table)
    if not isinstance(records, Rows):
        records = Rows.from_dicts(table, records)
    n = len(records)
    data = {c: records.columns.get(c) or [None] * n for c in cols}
    return pd.DataFrame(data, columns=cols)


def _insert(con: duckdb.DuckDBPyConnection, table: str, records: Rows | list[dict]) -> None:
    if not records:
        return
    df = _frame(table, records)  # noqa: F841 - read by DuckDB's replacement scan
    con.execute(f"insert into raw.{table} by name select * from df")


# Data tables first, then the per-file bookkeeping (source_files last, as one file did).
WRITE_ORDER = (
    "roster_rows",
    "referral_rows",
    "enterprises",
    "startup_support",
    "vacancies",
    "training_rows",
    "sheet_accounting",
    "dq_issues",
    "source_files",
)
BATCH_FILES = 64  # files per write transaction
BATCH_ROWS = 50_000  # or fewer when the files are big (bounded memory)
PARSE_AHEAD = 32  # parsed files that may wait for the writer (bounded memory)
# Parsing allocates millions of short-lived containers (rows, records) and almost no
# reference cycles: with Python's default thresholds (700, 10, 10) the collector ran ~900
# times per 250k rows (~8 % of a parser's CPU); these make it ~10x rarer.
GC_THRESHOLDS = (50_000, 20, 100)


@contextmanager
def _fewer_gc_passes() -> Iterator[None]:
    old = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _init_worker() -> None:
    gc.freeze()  # what the worker inherited from the writer is never scanned again
    gc.set_threshold(*GC_THRESHOLDS)


@lru_cache(maxsize=1 << 18)
def _key_and_mask(key: bytes, raw_id: str | None) -> tuple[str | None, str | None]:
    """(person key, masked ID); cached because every person recurs in every monthly roster."""
    return keyed_hash(key, raw_id), mask_id(raw_id)


@dataclass
class _FileContext:
    sha: str
    source_file: str
    path: Path
    archive_rel: str
    size: int
    mtime: datetime
    seq: int
    run_id: str
    ingested_at: datetime


def _issue_rows(fc: _FileContext, village: str | None, issues: list[Issue]) -> list[dict]:
    return [
        {
            "source_sha256": fc.sha,
            "source_file": fc.source_file,
            "sheet": i.sheet,
            "row_number": i.row_number,
            "village_code": village,
            "severity": i.severity,
            "rule_code": i.rule_code,
            "column_name": i.column_name,
            "bad_value_masked": i.bad_value_masked,
            "message": i.message,
            "ingested_at": fc.ingested_at,
        }
        for i in issues
    ]


# Columns of the data tables that the writer fills per file (not the parser), besides the
# provenance (source_sha256, source_file, sheet, ingested_at) and the ID key/mask.
FILE_COLUMNS = {
    "roster_rows": ("village_code", "report_month"),
    "referral_rows": ("village_code", "report_month"),
    "enterprises": ("export_date",),
    "startup_support": ("export_date",),
    "vacancies": ("export_date",),
    "training_rows": (),
}
_PROVENANCE = ("source_sha256", "source_file", "sheet", "ingested_at")


def _data_columns(table: str) -> list[str]:
    """Raw columns whose values come from the parsed records."""
    own = {*_PROVENANCE, *FILE_COLUMNS[table], *ID_COLUMNS.get(table, ())[1:]}
    return [c for c in _columns(table) if c not in own]


def _column(records: list[dict], name: str) -> list:
    try:
        return list(map(itemgetter(name), records))
    except KeyError:
        return [r.get(name) for r in records]


def pack_records(table: str, records: list[dict]) -> dict[str, list]:
    """Accepted records of a sheet as columns (what the writer reads of them)."""
    return {c: _column(records, c) for c in _data_columns(table)}


def parse_for_writer(path: Path, villages: Villages, today: date | None = None) -> ParsedFile:
    """`parse_path`, with each sheet's records packed into columns (run in the workers)."""
    parsed = parse_path(path, villages, today)
    for so in parsed.sheets:
        so.columns = pack_records(so.table, so.result.records)
        so.result.records = []
    return parsed


def _concat(table: str, parts: list[Rows]) -> Rows:
    if len(parts) == 1:
        return parts[0]
    n = sum(p.n for p in parts)
    out: dict[str, list] = {}
    for c in _columns(table):
        col: list = []
        for p in parts:
            v = p.columns.get(c)
            col.extend(v if v is not None else [None] * p.n)
        out[c] = col
    return Rows(out, n)


def file_records(fc: _FileContext, parsed: ParsedFile, key: bytes) -> dict[str, Rows]:
    """All rows one file adds, per raw table (pure; nothing written)."""
    read, acc, rej, ign = parsed.totals()
    assert read == acc + rej + ign, f"row accounting broken for {fc.source_file}"
    file_values = {
        "village_code": parsed.village_code,
        "report_month": parsed.period,
        "export_date": parsed.period,
    }
    issues: list[Issue] = list(parsed.file_issues)
    parts: dict[str, list[Rows]] = {}
    for so in parsed.sheets:
        res = so.result
        issues.extend(res.issues)
        cols = so.columns
        if cols is None:
            cols = pack_records(so.table, res.records)
        n = len(cols["row_number"])
        block = dict(cols)
        for c, v in zip(
            _PROVENANCE, (fc.sha, fc.source_file, res.sheet, fc.ingested_at), strict=True
        ):
            block[c] = [v] * n
        for c in FILE_COLUMNS[so.table]:
            block[c] = [file_values[c]] * n
        idc = ID_COLUMNS.get(so.table)
        if idc:
            km = [_key_and_mask(key, raw_id) for raw_id in block[idc[0]]]
            block[idc[1]] = [k for k, _m in km]
            block[idc[2]] = [m for _k, m in km]
        parts.setdefault(so.table, []).append(Rows(block, n))
    out: dict[str, Rows] = {t: _concat(t, p) for t, p in parts.items()}
    out["sheet_accounting"] = Rows.from_dicts(
        "sheet_accounting",
        [
            {
                "source_sha256": fc.sha,
                "sheet": so.result.sheet,
                "header_row": so.result.header_row,
                "rows_read": so.result.rows_read,
                "rows_accepted": so.result.rows_accepted,
                "rows_rejected": so.result.rows_rejected,
                "rows_ignored": so.result.rows_ignored,
            }
            for so in parsed.sheets
        ],
    )
    out["dq_issues"] = Rows.from_dicts("dq_issues", _issue_rows(fc, parsed.village_code, issues))
    out["source_files"] = Rows.from_dicts(
        "source_files",
        [
            {
                "source_sha256": fc.sha,
                "source_file": fc.source_file,
                "file_name": fc.path.name,
                "file_ext": fc.path.suffix.lower().lstrip(".") or None,
                "file_size": fc.size,
                "file_mtime": fc.mtime,
                "archive_path": fc.archive_rel,
                "kind": parsed.kind,
                "village_code": parsed.village_code,
                "period": parsed.period,
                "has_referral_sheet": parsed.has_referral_sheet,
                "status": "rejected" if parsed.rejected else "accepted",
                "reason_code": parsed.reason_code,
                "reason": parsed.reason,
                "rows_read": read,
                "rows_accepted": acc,
                "rows_rejected": rej,
                "rows_ignored": ign,
                "ingest_seq": fc.seq,
                "ingest_run_id": fc.run_id,
                "ingested_at": fc.ingested_at,
            }
        ],
    )
    return out


def write_parsed(
    con: duckdb.DuckDBPyConnection, fc: _FileContext, parsed: ParsedFile, key: bytes
) -> None:
    """All rows of one file (caller wraps this in a transaction)."""
    write_many(con, [(fc, parsed)], key)


def write_many(
    con: duckdb.DuckDBPyConnection, files: list[tuple[_FileContext, ParsedFile]], key: bytes
) -> None:
    """All rows of several files, one insert per raw table (caller wraps this in one
    transaction). Each DuckDB insert costs milliseconds whatever its size, so batching the
    small files of a town inbox is what keeps ingest near the bare read speed."""
    tables: dict[str, list[Rows]] = {}
    for fc, parsed in files:
        for table, rows in file_records(fc, parsed, key).items():
            tables.setdefault(table, []).append(rows)
    for table in WRITE_ORDER:
        _insert(con, table, _concat(table, tables.pop(table, [])))
    for table, parts in tables.items():
        _insert(con, table, _concat(table, parts))


def ingest_inbox(
    home: Home,
    inbox: Path | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    run_id: str | None = None,
    villages: Villages | None = None,
) -> IngestSummary:
    """Ingest every new file of the inbox. See docs/INGEST.md."""
    with _fewer_gc_passes():
        return _ingest_inbox(home, inbox, progress=progress, run_id=run_id, villages=villages)


def _ingest_inbox(
    home: Home,
    inbox: Path | None,
    *,
    progress: Callable[[str], None] | None,
    run_id: str | None,
    villages: Villages | None,
) -> IngestSummary:
    home.ensure()
    inbox = Path(inbox) if inbox is not None else home.inbox
    say = progress or (lambda _msg: None)
    key = load_or_create_key(home.secret_key_file)
    villages = villages or load_villages()
    run_id = run_id or uuid.uuid4().hex
    con = connect_warehouse(home.warehouse)
    try:
        raw_schema.create_raw_schema(con)
        seq = con.execute(
            "select coalesce(max(ingest_seq), 0) + 1 from raw.ingest_runs"
        ).fetchone()[0]
        summary = IngestSummary(ingest_seq=seq, run_id=run_id, started_at=now_local())
        con.execute(
            "insert into raw.ingest_runs (ingest_seq, ingest_run_id, started_at) values (?, ?, ?)",
            [seq, run_id, summary.started_at],
        )
        known = {r[0] for r in con.execute("select source_sha256 from raw.source_files").fetchall()}
        pending: list[_Pending] = []
        hashes = HashCache.for_home(Path(home.root))  # unchanged files are not re-read
        for path in iter_inbox(inbox):
            summary.files_seen += 1
            rel = path.relative_to(inbox).as_posix()
            try:
                st = path.stat()
                sha = hashes.sha256(path, st)
                if sha in known:
                    summary.files_skipped += 1
                    continue
                known.add(sha)  # a second copy in this run is skipped too
                archived = archive_file(path, home.archive, sha)
            except OSError as exc:  # vanished or unreadable: try again next run
                summary.files_failed += 1
                summary.errors.append(f"{rel}: {type(exc).__name__}")
                say(f"无法读取 {rel}：{exc}")
                continue
            pending.append(_Pending(rel, path, sha, st.st_size, st.st_mtime, archived))
        hashes.save()
        today = today_shanghai()
        batch: list[tuple[_Pending, _FileContext, ParsedFile]] = []
        batch_rows = 0

        def failed(item: _Pending, exc: Exception) -> None:
            summary.files_failed += 1
            summary.errors.append(f"{item.rel}: {type(exc).__name__}: {exc}")
            say(f"处理 {item.rel} 时出错，已回滚，下次运行将重试：{type(exc).__name__}")
            _log_failure(home, item.rel, exc)

        def done(item: _Pending, parsed: ParsedFile) -> None:
            _count(summary, parsed, item.rel)
            say(_progress_line(item.rel, parsed))

        def flush() -> None:
            # Several files in one transaction: each file is still all-or-nothing (a crash
            # loses the whole batch, whose files are simply ingested again next run). If the
            # batch fails, every file is retried alone so one bad file fails only itself.
            if not batch:
                return
            try:
                _transaction(con, lambda: write_many(con, [(f, p) for _, f, p in batch], key))
            except Exception:  # noqa: BLE001 - narrowed down file by file below
                for item, fc, parsed in batch:
                    try:
                        _transaction(
                            con, lambda fc=fc, parsed=parsed: write_parsed(con, fc, parsed, key)
                        )
                    except Exception as exc:  # a bug or I/O error on one file must not stop the run
                        failed(item, exc)
                    else:
                        done(item, parsed)
            else:
                for item, _fc, parsed in batch:
                    done(item, parsed)
            batch.clear()

        for item, parsed, error in _parse_all(pending, villages, today):
            if error is not None or parsed is None:
                failed(item, error or RuntimeError("no result"))
                continue
            fc = _FileContext(
                sha=item.sha,
                source_file=item.rel,
                path=item.path,
                archive_rel=item.archived.relative_to(home.root).as_posix(),
                size=item.size,
                mtime=datetime.fromtimestamp(item.mtime, TZ).replace(tzinfo=None),
                seq=seq,
                run_id=run_id,
                ingested_at=now_local(),
            )
            batch.append((item, fc, parsed))
            batch_rows += parsed.totals()[0]
            if len(batch) >= BATCH_FILES or batch_rows >= BATCH_ROWS:
                flush()
                batch_rows = 0
        flush()
        summary.finished_at = now_local()
        con.execute(
            """update raw.ingest_runs set finished_at = ?, files_seen = ?, files_new = ?,
               files_rejected = ?, files_skipped = ?, files_failed = ?, rows_read = ?,
               rows_accepted = ?, rows_rejected = ?, rows_ignored = ? where ingest_seq = ?""",
            [
                summary.finished_at,
                summary.files_seen,
                summary.files_new,
                summary.files_rejected,
                summary.files_skipped,
                summary.files_failed,
                summary.rows_read,
                summary.rows_accepted,
                summary.rows_rejected,
                summary.rows_ignored,
                seq,
            ],
        )
        return summary
    finally:
        con.close()


def _transaction(con: duckdb.DuckDBPyConnection, work: Callable[[], None]) -> None:
    con.begin()
    try:
        work()
        con.commit()
    except BaseException:
        con.rollback()
        raise


@dataclass(frozen=True)
class _Pending:
    rel: str
    path: Path
    sha: str
    size: int
    mtime: float
    archived: Path


def ingest_workers(n_files: int) -> int:
    """Parser processes: $YIYE_INGEST_WORKERS, else one per CPU (max 4); 1 for small batches."""
    env = os.environ.get("YIYE_INGEST_WORKERS")
    if env:
        return max(1, int(env))
    if n_files < PARALLEL_MIN_FILES:
        return 1
    return max(1, min(4, os.cpu_count() or 1))


def _parse_all(
    pending: list[_Pending], villages: Villages, today: date
) -> Iterator[tuple[_Pending, ParsedFile | None, Exception | None]]:
    """Parse files (in worker processes when worth it), yielding results in input order."""
    workers = ingest_workers(len(pending))
    if workers <= 1:
        for item in pending:
            try:
                yield item, parse_for_writer(item.archived, villages, today), None
            except Exception as exc:  # noqa: BLE001 - reported per file by the caller
                yield item, None, exc
        return
    ctx = multiprocessing.get_context(_START_METHOD)
    window = workers * 3 + PARSE_AHEAD  # keep workers busy while a batch is written
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker) as pool:
        futures: deque = deque()
        it = iter(pending)
        for item in it:
            futures.append((item, pool.submit(parse_for_writer, item.archived, villages, today)))
            if len(futures) >= window:
                break
        while futures:
            item, fut = futures.popleft()
            try:
                yield item, fut.result(), None
            except BrokenProcessPool:
                # a worker died: parse the rest in-process
                rest = [item, *(i for i, _ in futures), *it]
                futures.clear()
                for r in rest:
                    try:
                        yield r, parse_for_writer(r.archived, villages, today), None
                    except Exception as exc:  # noqa: BLE001
                        yield r, None, exc
                return
            except Exception as exc:  # noqa: BLE001
                yield item, None, exc
            nxt = next(it, None)
            if nxt is not None:
                futures.append((nxt, pool.submit(parse_for_writer, nxt.archived, villages, today)))


def _count(summary: IngestSummary, parsed: ParsedFile, rel: str) -> None:
    summary.files_new += 1
    kind = parsed.kind or "unknown"
    summary.by_kind[kind] = summary.by_kind.get(kind, 0) + 1
    if parsed.rejected:
        summary.files_rejected += 1
        summary.rejected_files.append((rel, parsed.reason_code or ""))
    read, acc, rej, ign = parsed.totals()
    summary.rows_read += read
    summary.rows_accepted += acc
    summary.rows_rejected += rej
    summary.rows_ignored += ign
    summary.warnings += sum(1 for i in parsed.file_issues if i.severity == "warning") + sum(
        1 for s in parsed.sheets for i in s.result.issues if i.severity == "warning"
    )


def _progress_line(rel: str, parsed: ParsedFile) -> str:
    if parsed.rejected:
        return f"已拒收 {rel}：{parsed.reason}"
    read, acc, rej, ign = parsed.totals()
    return f"已读取 {rel}：{read} 行（接收 {acc}，拒收 {rej}，忽略 {ign}）"


def _log_failure(home: Home, rel: str, exc: Exception) -> None:
    try:
        home.logs.mkdir(parents=True, exist_ok=True)
        with (home.logs / "ingest_errors.log").open("a", encoding="utf-8") as fh:
            fh.write(f"{now_local().isoformat()} {rel}\n")
            fh.write("".join(traceback.format_exception(exc)))
    except OSError:
        pass
