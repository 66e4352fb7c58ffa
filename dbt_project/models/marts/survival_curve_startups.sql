-- Kaplan–Meier survival of all supported enterprises: time in whole calendar months from the
-- first 扶持日期 to death (注销/吊销 date <= as_of), censored at 迁出 or at as_of.
with recursive enterprises as (
    select * from {{ ref('int_startups__enterprises') }}
),

observed as (
    select
        origin_date,
        case
            when death_date is not null and death_date <= {{ as_of() }} then death_date
            when exit_date is not null and exit_date <= {{ as_of() }} then exit_date
            else {{ as_of() }}
        end as end_date,
        death_date is not null and death_date <= {{ as_of() }} as is_event
    from enterprises
    where origin_date <= {{ as_of() }}
),

subjects as (
    select
        greatest(0, {{ events_months_between('origin_date', 'end_date') }}) as time_months,
        is_event
    from observed
),

{{ events_km_curve('subjects') }},

final as (
    select * from km_final
)

select * from final
