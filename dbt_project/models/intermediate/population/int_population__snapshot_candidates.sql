-- Candidate rows of P(D) at every epoch date D (int_population__date_epochs: one
-- representative per distinct set of latest snapshots; every other requested date has the
-- P of its epoch): for every village active at D, the rows of its latest snapshot with
-- date <= D. A person found in several villages' snapshots is ranked: later snapshot
-- month first, then the smaller village code (kpis.md). candidate_rank = 1 is the winner.
with requested_dates as (
    select distinct epoch_date as pop_date
    from {{ ref('int_population__date_epochs') }}
),

snapshot_rows as (
    select * from {{ ref('int_roster__snapshot_rows') }}
),

latest_snapshots as (
    {{ population_latest_snapshots('requested_dates') }}
),

candidates as (
    select
        latest_snapshots.pop_date,
        snapshot_rows.person_key,
        snapshot_rows.village_code,
        snapshot_rows.household_no,
        snapshot_rows.labour_class,
        snapshot_rows.employment_status,
        snapshot_rows.tags,
        snapshot_rows.report_month as snapshot_month,
        snapshot_rows.snapshot_date,
        snapshot_rows.id_masked,
        snapshot_rows.person_name,
        snapshot_rows.source_sha256,
        snapshot_rows.sheet,
        snapshot_rows.row_number
    from latest_snapshots
    inner join snapshot_rows
        on snapshot_rows.village_code = latest_snapshots.village_code
        and snapshot_rows.snapshot_date = latest_snapshots.snapshot_date
),

final as (
    select
        candidates.*,
        row_number() over (
            partition by candidates.pop_date, candidates.person_key
            order by
                candidates.snapshot_date desc,
                candidates.village_code asc,
                candidates.source_sha256 asc,
                candidates.row_number asc
        ) as candidate_rank,
        count(*) over (
            partition by candidates.pop_date, candidates.person_key
        ) as candidate_count
    from candidates
)

select * from final
