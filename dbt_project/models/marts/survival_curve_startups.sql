-- Kaplan–Meier survival of all supported enterprises: time in whole calendar months from the
-- first 扶持日期 to death (注销/吊销 date <= as_of), censored at 迁出 or at as_of.
with recursive enterprises as (
    select * from {{ ref('int_startups__enterprises') }}
),

{{ events_km_curve_from('enterprises', 'origin_date', 'death_date', censor_col='exit_date') }}

select * from final
