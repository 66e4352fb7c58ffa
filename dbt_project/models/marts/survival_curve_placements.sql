-- Kaplan–Meier curve of placement spells (town-level, one per person/上岗日期/employer): time
-- in whole calendar months from 上岗日期 to 离岗日期 (<= as_of), censored at as_of.
with recursive spells as (
    select * from {{ ref('int_placements__spells') }}
),

observed as (
    select
        start_date,
        case
            when end_date is not null and end_date <= {{ as_of() }} then end_date
            else {{ as_of() }}
        end as end_date,
        end_date is not null and end_date <= {{ as_of() }} as is_event
    from spells
    where is_town_spell
        and start_date <= {{ as_of() }}
),

subjects as (
    select
        greatest(0, {{ events_months_between('start_date', 'end_date') }}) as time_months,
        is_event
    from observed
),

{{ events_km_curve('subjects') }},

final as (
    select * from km_final
)

select * from final
