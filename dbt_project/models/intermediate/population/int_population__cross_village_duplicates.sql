-- Persons found in several active villages' latest snapshots at a requested date: one row
-- per losing row, with the winning village. same_month = the losing snapshot has the same
-- month as the winning one (the tie broken by the smaller village code, which kpis.md asks
-- to report as the data-quality issue cross_village_duplicate).
with candidates as (
    select * from {{ ref('int_population__snapshot_candidates') }}
),

winners as (
    select * from candidates where candidate_rank = 1
),

losers as (
    select * from candidates where candidate_rank > 1
),

final as (
    select
        losers.pop_date,
        losers.person_key,
        losers.id_masked,
        winners.village_code as winning_village_code,
        winners.snapshot_month as winning_snapshot_month,
        losers.village_code as losing_village_code,
        losers.snapshot_month as losing_snapshot_month,
        losers.snapshot_month = winners.snapshot_month as same_month,
        winners.source_sha256 as winning_source_sha256,
        winners.sheet as winning_sheet,
        winners.row_number as winning_row_number,
        losers.source_sha256,
        losers.sheet,
        losers.row_number
    from losers
    inner join winners
        on winners.pop_date = losers.pop_date
        and winners.person_key = losers.person_key
)

select * from final
