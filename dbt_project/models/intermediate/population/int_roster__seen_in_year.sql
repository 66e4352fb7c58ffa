-- Rows "seen in year Y": rows of any village's snapshot whose month lies in Y and whose
-- date <= R(Y), before the cross-village de-duplication of P (kpis.md).
with years as (
    select * from {{ ref('int_population__years') }}
),

snapshot_rows as (
    select * from {{ ref('int_roster__snapshot_rows') }}
),

final as (
    select
        years.year,
        years.reference_date,
        snapshot_rows.*
    from years
    inner join snapshot_rows
        on {{ year_of('snapshot_rows.report_month') }} = years.year
        and snapshot_rows.snapshot_date <= years.reference_date
)

select * from final
