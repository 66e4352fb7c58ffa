-- Every date D at which P(D) is needed: each R(Y), and for the training indicators
-- 开班日期, 结业日期 and 结业日期 + 6 months of every training row.
with years as (
    select * from {{ ref('int_population__years') }}
),

training_rows as (
    select * from {{ ref('stg_raw__training_rows') }}
),

all_dates as (
    select reference_date as pop_date from years
    union all
    select start_date as pop_date from training_rows
    union all
    select end_date as pop_date from training_rows
    union all
    select {{ add_months('end_date', 6) }} as pop_date from training_rows
),

final as (
    select distinct pop_date
    from all_dates
    where pop_date is not null
)

select * from final
