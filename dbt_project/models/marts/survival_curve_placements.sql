-- Kaplan–Meier curve of placement spells (town-level, one per person/上岗日期/employer): time
-- in whole calendar months from 上岗日期 to 离岗日期 (<= as_of), censored at as_of.
with recursive spells as (
    select * from {{ ref('int_placements__spells') }}
),

{{ events_km_curve_from('spells', 'start_date', 'end_date', where='is_town_spell') }}

select * from final
