"""A throwaway PostgreSQL cluster for the portability test (tests/test_dbt_postgres.py).

* ``find_pg_bin()``: the directory of Debian's server binaries (initdb, pg_ctl), or None.
* ``PgCluster``: initdb into a fresh temporary directory, start on a unix socket in that
  directory (no TCP listener), ``stop()`` removes it. As root (CI), the cluster is created
  and run as the ``postgres`` OS user (postgres refuses to run as root).
* ``copy_raw_tables()``: the ``raw.*`` tables of a DuckDB warehouse into Postgres, with the
  DDL of ingest/raw_schema.py (the contract) translated to Postgres types.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from ingest import raw_schema

PG_BIN_CANDIDATES = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def find_pg_bin() -> Path | None:
    for d in PG_BIN_CANDIDATES:
        if (d / "initdb").exists() and (d / "pg_ctl").exists():
            return d
    return None


def _free_port() -> int:
    # The server only listens on its unix socket; the port number names the socket file
    # (.s.PGSQL.<port>) in our private directory, so any number works. Pick a free TCP one
    # anyway so a developer can switch listen_addresses on without a clash.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.run_as: str | None = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError as exc:  # pragma: no cover - Debian's package creates it
                raise RuntimeError("running as root but there is no `postgres` OS user") from exc
            self.run_as = "postgres"
        # Under /tmp (not pytest's root-only tmp_path) so the postgres user can reach it;
        # a short path keeps the socket name under the 107-byte limit.
        self.dir = Path(tempfile.mkdtemp(prefix="yiye-pg-", dir="/tmp"))
        self.data = self.dir / "data"
        self.port = _free_port()
        self.user = "postgres"
        self.dbname = "yiye"
        self.started = False
        if self.run_as:
            pw = pwd.getpwnam(self.run_as)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        os.chmod(self.dir, 0o700)

    @property
    def host(self) -> str:
        """The socket directory (libpq treats a host starting with / as one)."""
        return str(self.dir)

    def _run(self, args: list[str], timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.run_as:
            cmd = ["runuser", "-u", self.run_as, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)

    def start(self) -> PgCluster:
        init = self._run(
            [
                "initdb",
                "-D",
                str(self.data),
                "-U",
                self.user,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ]
        )
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{init.stdout}\n{init.stderr}")
        opts = (
            f"-p {self.port} -k {self.dir} -c listen_addresses='' -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c TimeZone=UTC"
        )
        start = self._run(
            [
                "pg_ctl",
                "-D",
                str(self.data),
                "-l",
                str(self.dir / "server.log"),
                "-w",
                "-t",
                "60",
                "-o",
                opts,
                "start",
            ]
        )
        if start.returncode != 0:
            log = (self.dir / "server.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"pg_ctl start failed:\n{start.stdout}\n{start.stderr}\n{log}")
        self.started = True
        con = self.connect("postgres")
        try:
            con.autocommit = True  # CREATE DATABASE cannot run in a transaction
            con.cursor().execute(f"create database {self.dbname}")
        finally:
            con.close()
        return self

    def connect(self, dbname: str | None = None):
        import psycopg2

        con = psycopg2.connect(
            host=self.host, port=self.port, user=self.user, dbname=dbname or self.dbname
        )
        return con

    def env(self) -> dict[str, str]:
        """The YIYE_PG_* variables of dbt_project/profiles.yml's postgres target."""
        return {
            "YIYE_PG_HOST": self.host,
            "YIYE_PG_PORT": str(self.port),
            "YIYE_PG_USER": self.user,
            "YIYE_PG_PASSWORD": "",
            "YIYE_PG_DBNAME": self.dbname,
            "YIYE_PG_SCHEMA": "public",
        }

    def stop(self) -> None:
        try:
            if self.started:
                self._run(["pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop"], 60)
                self.started = False
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def pg_type(duckdb_type: str) -> str:
    """Raw-contract column type (DuckDB spelling) -> Postgres type."""
    t = duckdb_type.lower()
    return {"double": "double precision", "varchar": "text"}.get(t, t)


def copy_raw_tables(duck_path: Path, pg_con) -> dict[str, int]:
    """Create ``raw`` in Postgres from the contract and copy every raw table's rows."""
    import duckdb
    from psycopg2.extras import execute_values

    counts: dict[str, int] = {}
    src = duckdb.connect(str(duck_path), read_only=True)
    try:
        with pg_con.cursor() as cur:
            cur.execute("create schema if not exists raw")
            for table in raw_schema.TABLES:
                types = raw_schema.column_types(table)
                cols = ", ".join(f"{c} {pg_type(t)}" for c, t in types.items())
                cur.execute(f"drop table if exists raw.{table}")
                cur.execute(f"create table raw.{table} ({cols})")
                names = list(types)
                rows = src.execute(f"select {', '.join(names)} from raw.{table}").fetchall()
                if rows:
                    execute_values(
                        cur,
                        f"insert into raw.{table} ({', '.join(names)}) values %s",
                        rows,
                        page_size=1000,
                    )
                counts[table] = len(rows)
        pg_con.commit()
    finally:
        src.close()
    return counts


def _norm(v):
    """A cell as a comparable value: decimals/floats -> float, the rest unchanged."""
    from decimal import Decimal

    if isinstance(v, Decimal):
        return float(v)
    return v


def _sort_key(row: tuple) -> tuple:
    # NULLs first, then by type name so mixed columns still sort; floats rounded so that
    # last-bit differences between engines do not reorder rows.
    out = []
    for v in row:
        if v is None:
            out.append((0, "", ""))
        elif isinstance(v, float):
            out.append((1, "float", round(v, 9)))
        else:
            out.append((1, type(v).__name__, v))
    return tuple(out)


def table_rows(rows: list[tuple]) -> list[tuple]:
    return sorted((tuple(_norm(v) for v in r) for r in rows), key=_sort_key)


def diff_rows(name: str, cols: list[str], duck: list[tuple], pg: list[tuple], tol=1e-9):
    """Human-readable differences between two sorted row lists (empty = equal)."""
    import math

    problems: list[str] = []
    if len(duck) != len(pg):
        problems.append(f"{name}: {len(duck)} rows on DuckDB, {len(pg)} on Postgres")
        return problems
    for i, (a, b) in enumerate(zip(duck, pg, strict=True)):
        for col, x, y in zip(cols, a, b, strict=True):
            if isinstance(x, float) and isinstance(y, float):
                same = (math.isnan(x) and math.isnan(y)) or math.isclose(
                    x, y, rel_tol=tol, abs_tol=tol
                )
            elif isinstance(x, bool) or isinstance(y, bool):
                same = x is y
            else:
                same = x == y and type(x) is type(y)
            if not same:
                problems.append(f"{name} row {i} column {col}: DuckDB {x!r} != Postgres {y!r}")
                if len(problems) > 20:
                    return problems
    return problems
