"""The `raw` schema of warehouse.duckdb: the contract between ingest (writer) and dbt (reader).

Every accepted and rejected row carries provenance (sources.md): source_sha256, source_file
(path relative to the inbox), sheet, row_number (1-based Excel row), ingested_at.
Values are already normalised (NFKC, canonical statuses/tags, ISO dates, upper-case IDs).
Raw identifiers (id_number, phone, founder_id) live only here and in staging; ingest also
writes `person_key` (keyed hash) and `id_masked` so later layers never need the raw value.

Tags are stored pipe-delimited with leading/trailing pipes (`|就业困难人员|零就业家庭成员|`) so
`tags like '%|就业困难人员|%'` works on any SQL engine; no tags = ''.

Change a column here only together with dbt_project/models/staging/_raw__sources.yml.
"""

from __future__ import annotations

PROVENANCE = """
    source_sha256 varchar not null,
    source_file   varchar not null,
    sheet         varchar not null,
    row_number    integer not null,
    ingested_at   timestamp not null"""

TABLES: dict[str, str] = {
    # One row per file ever seen (by content). status: accepted | rejected. Superseding
    # (accepted → superseded) is derived downstream from (kind, village_code, period) and
    # ingest order (ingest_seq, file_mtime, file_name), see sources.md.
    "source_files": """
        source_sha256  varchar primary key,
        source_file    varchar not null,   -- path relative to the inbox when first seen
        file_name      varchar not null,
        file_ext       varchar,
        file_size      bigint,
        file_mtime     timestamp,
        archive_path   varchar not null,   -- relative to $YIYE_HOME
        kind           varchar,            -- roster | enterprise_register | training | NULL if unknown
        village_code   varchar,            -- roster: A2/B2 code
        period         date,               -- roster: first day of report month; register: export date
        has_referral_sheet boolean,        -- roster: workbook has a 推荐上岗记录 sheet that was read
        status         varchar not null,   -- accepted | rejected
        reason_code    varchar,            -- whole-file rejection rule code
        reason         varchar,            -- Chinese message
        rows_read      integer not null default 0,
        rows_accepted  integer not null default 0,
        rows_rejected  integer not null default 0,
        rows_ignored   integer not null default 0,
        ingest_seq     integer not null,   -- increases by one per ingest run
        ingest_run_id  varchar,
        ingested_at    timestamp not null""",
    # Row accounting per sheet: rows_read = rows_accepted + rows_rejected + rows_ignored
    "sheet_accounting": """
        source_sha256 varchar not null,
        sheet         varchar not null,
        header_row    integer,
        rows_read     integer not null,
        rows_accepted integer not null,
        rows_rejected integer not null,
        rows_ignored  integer not null,
        primary key (source_sha256, sheet)""",
    # Sheet 人员台账 of village roster workbooks.
    "roster_rows": PROVENANCE
    + """,
        village_code   varchar not null,
        report_month   date not null,      -- first day of the report month
        person_name    varchar not null,
        sex            varchar,            -- from the ID's sex digit (男/女)
        id_number      varchar not null,   -- normalised 18-char ID (raw layer only)
        person_key     varchar not null,   -- keyed hash of id_number
        id_masked      varchar not null,
        phone          varchar,            -- raw layer only; NULL when invalid
        household_no   varchar not null,
        relation       varchar,
        hukou          varchar,
        education      varchar,
        tags           varchar not null,   -- '|tag|tag|' or ''
        employment_status varchar not null, -- canonical status (sources.md table)
        employer_name  varchar,
        employer_uscc  varchar,
        employment_date date,
        unemployment_reg_date date,
        wish_to_work   varchar not null,   -- 有 | 无 (empty cell → 有)
        remark         varchar,
        extra_columns  varchar             -- JSON object of unknown columns, or NULL""",
    # Sheet 推荐上岗记录 (cumulative referral log) of village roster workbooks.
    "referral_rows": PROVENANCE
    + """,
        village_code   varchar not null,
        report_month   date not null,
        person_name    varchar,
        id_number      varchar not null,
        person_key     varchar not null,
        id_masked      varchar not null,
        referral_date  date not null,
        employer_name  varchar not null,
        employer_uscc  varchar,
        job_title      varchar,
        placed         boolean not null,
        start_date     date,
        end_date       date,
        referrer       varchar,
        extra_columns  varchar""",
    # 一企一册 sheet 企业名录.
    "enterprises": PROVENANCE
    + """,
        export_date    date not null,
        uscc           varchar not null,
        enterprise_name varchar not null,
        org_type       varchar,
        founded_date   date not null,
        business_status varchar not null,  -- 存续 | 注销 | 吊销 | 迁出
        end_date       date,
        village_code   varchar,            -- resolved from code or exact name; NULL = unattributed
        industry       varchar,
        headcount      integer,
        extra_columns  varchar""",
    # 一企一册 sheet 创业扶持.
    "startup_support": PROVENANCE
    + """,
        export_date    date not null,
        uscc           varchar not null,
        founder_name   varchar,
        founder_id     varchar not null,
        founder_key    varchar not null,   -- keyed hash of founder_id (same key as person_key)
        founder_id_masked varchar not null,
        support_date   date not null,
        support_type   varchar not null,
        amount         double,
        jobs_created   integer,
        extra_columns  varchar""",
    # 一企一册 sheet 岗位信息.
    "vacancies": PROVENANCE
    + """,
        export_date    date not null,
        uscc           varchar not null,
        job_title      varchar not null,
        openings       integer not null,
        salary_min     double,
        salary_max     double,
        posted_date    date not null,
        closing_date   date,
        job_status     varchar,
        extra_columns  varchar""",
    # 培训记录 (training log), CSV or xlsx. Key (class_id, id_number): newest file wins (dbt).
    "training_rows": PROVENANCE
    + """,
        class_id       varchar not null,
        course_name    varchar not null,
        training_category varchar not null,
        partner_uscc   varchar,
        start_date     date not null,
        end_date       date not null,
        trainee_name   varchar,
        id_number      varchar not null,
        person_key     varchar not null,
        id_masked      varchar not null,
        attendance_rate double,            -- fraction 0..1
        completed      boolean not null,
        certificate_name varchar,
        certificate_level varchar,
        certificate_date date,
        extra_columns  varchar""",
    # Every rejected row (severity=error), every warning, and every whole-file rejection
    # (sheet/row_number NULL). bad_value_masked never holds a raw ID or phone.
    "dq_issues": """
        source_sha256  varchar not null,
        source_file    varchar not null,
        sheet          varchar,
        row_number     integer,
        village_code   varchar,
        severity       varchar not null,   -- error | warning
        rule_code      varchar not null,
        column_name    varchar,
        bad_value_masked varchar,
        message        varchar not null,   -- Chinese, names the column and the masked value
        ingested_at    timestamp not null""",
    # One row per ingest run (for status and lineage).
    "ingest_runs": """
        ingest_seq     integer primary key,
        ingest_run_id  varchar,
        started_at     timestamp not null,
        finished_at    timestamp,
        files_seen     integer,
        files_new      integer,
        files_rejected integer,
        files_skipped  integer,            -- already ingested (same sha256)
        files_failed   integer,            -- unexpected error: rolled back, retried next run
        rows_read      integer,
        rows_accepted  integer,
        rows_rejected  integer,
        rows_ignored   integer""",
    # Great Expectations results per staged raw table (ingest/gx_checks.py).
    "gx_results": """
        checked_at     timestamp not null,
        table_name     varchar not null,
        expectation    varchar not null,
        column_name    varchar,
        success        boolean not null,
        severity       varchar,            -- error | warning
        unexpected_count integer,
        details        varchar""",
}


def create_raw_schema(con) -> None:
    """Create schema `raw` and its tables if absent (idempotent). `con` is a duckdb connection.

    Columns added to this contract later are added to existing tables (nullable).
    """
    con.execute("create schema if not exists raw")
    for name, cols in TABLES.items():
        con.execute(f"create table if not exists raw.{name} ({_strip_comments(cols)})")
        have = {
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'raw' and table_name = ?",
                [name],
            ).fetchall()
        }
        for col, typ in column_types(name).items():
            if col not in have:
                con.execute(f"alter table raw.{name} add column {col} {typ}")


def column_types(table: str) -> dict[str, str]:
    """Column name -> SQL type of a raw table, in DDL order."""
    out: dict[str, str] = {}
    for line in _strip_comments(TABLES[table]).splitlines():
        part = line.strip().rstrip(",")
        if not part or part.lower().startswith("primary key"):
            continue
        name, typ = part.split()[:2]
        out[name] = typ
    return out


def columns(table: str) -> list[str]:
    return list(column_types(table))


def _strip_comments(ddl: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in ddl.splitlines())
