-- P(D) depends only on which snapshot S(v, m) is the latest with date <= D for every village
-- active at D. Requested dates with the same set of (village, latest snapshot) therefore
-- have the same P(D); this model maps every requested date D to the earliest requested date
-- with the same set, its epoch_date. P is computed once per epoch (snapshot_candidates), not
-- once per date: at town scale the training dates alone are ~2,000 dates, the epochs ~60.
-- Dates before any active village has a snapshot have an empty P(D) and no row here.
with requested_dates as (
    select * from {{ ref('int_population__requested_dates') }}
),

latest_snapshots as (
    {{ population_latest_snapshots('requested_dates') }}
),

signatures as (
    select
        pop_date,
        string_agg(
            village_code || '@' || cast(snapshot_date as varchar), ',' order by village_code
        ) as snapshot_set
    from latest_snapshots
    group by pop_date
),

final as (
    select
        pop_date,
        min(pop_date) over (partition by snapshot_set) as epoch_date
    from signatures
)

select * from final
