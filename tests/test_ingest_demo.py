"""End to end on a small inbox from the demo generator (ingest/demo/, another helper's code)."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus.ingest_builders import new_home, query

from ingest.demo import generator
from ingest.pipeline import ingest_inbox

# demo generator's injected-defect kinds → our rule codes
KIND_TO_RULE = {
    "warn_phone": "bad_phone",
    "warn_tag": "unknown_tag",
    "warn_sex": "sex_mismatch",
    "warn_uscc": "bad_uscc",
    "dup_uscc": "dup_in_file",
    "placed_without_start": "placed_without_date",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    home = new_home(tmp_path_factory.mktemp("demo"))
    summary = generator.generate_inbox(
        home.inbox, scale=12, seed=11, start="2024-01", end="2024-12", villages=4
    )
    s1 = ingest_inbox(home)
    s2 = ingest_inbox(home)
    return home, summary, s1, s2


def test_demo_inbox_full_accounting_no_crash(demo):
    home, summary, s1, s2 = demo
    assert s1.files_failed == 0, s1.errors
    assert s1.files_seen == len(summary.files) == s1.files_new
    assert (s1.rows_read) == s1.rows_accepted + s1.rows_rejected + s1.rows_ignored
    bad = query(
        home,
        "select source_file from raw.source_files "
        "where rows_read != rows_accepted + rows_rejected + rows_ignored",
    )
    assert bad == []
    per_sheet = query(
        home,
        "select f.source_file from raw.source_files f join (select source_sha256, "
        "sum(rows_read) r, sum(rows_accepted) a from raw.sheet_accounting group by 1) s "
        "using (source_sha256) where f.rows_read != s.r or f.rows_accepted != s.a",
    )
    assert per_sheet == []
    # accepted + rejected rows in raw tables match the accounting
    n_rows = sum(
        query(home, f"select count(*) from raw.{t}")[0][0]
        for t in (
            "roster_rows",
            "referral_rows",
            "enterprises",
            "startup_support",
            "vacancies",
            "training_rows",
        )
    )
    assert n_rows == s1.rows_accepted
    n_err = query(
        home,
        "select count(*) from raw.dq_issues where severity = 'error' and row_number is not null",
    )
    assert n_err == [(s1.rows_rejected,)]
    # the second run ingests nothing
    assert (s2.files_new, s2.files_skipped) == (0, s1.files_seen)


def test_demo_rejected_files_match(demo):
    home, summary, s1, _ = demo
    inbox = home.inbox
    expected = {Path(p).relative_to(inbox).as_posix() for p in summary.rejected_files}
    got = {
        r[0]
        for r in query(home, "select source_file from raw.source_files where status = 'rejected'")
    }
    assert got == expected


def test_demo_injected_defects_found(demo):
    home, summary, _, _ = demo
    found = {
        (f, s, r, c)
        for f, s, r, c in query(
            home,
            "select source_file, sheet, row_number, rule_code from raw.dq_issues where row_number is not null",
        )
    }
    missing = []
    for inj in summary.injected:
        rule = KIND_TO_RULE.get(inj.kind, inj.kind)
        sheet = inj.sheet or "CSV"
        if (inj.file, sheet, inj.row, rule) not in found:
            missing.append((inj.file, sheet, inj.row, rule))
    assert missing == []


def test_demo_mostly_accepted(demo):
    """A synthetic inbox with a few injected defects must be overwhelmingly accepted."""
    _, summary, s1, _ = demo
    assert s1.rows_rejected <= len(summary.injected)
    assert s1.rows_accepted > 0.9 * (s1.rows_accepted + s1.rows_rejected)
