{#- Kaplan–Meier product-limit table over `subjects` (a CTE with integer time_months >= 0 and
    boolean is_event). Emits CTEs `km_months`, `km_counts` and `km_final` (month, at_risk,
    events, censored, survival, ci_lower, ci_upper); Greenwood variance; bounds
    S ± z·SE clipped to [0, 1]. Running product as exp(sum(ln(1 - d/n))) with a guard for
    S = 0 (d = n). Portable (recursive CTE, window sums). Call after `with recursive`. -#}
{% macro events_km_curve(subjects) -%}
km_months (month) as (
    select 0 as month
    union all
    select month + 1 as month
    from km_months
    where month + 1 <= (select max(time_months) from {{ subjects }})
),

km_counts as (
    select
        km_months.month,
        sum(case when {{ subjects }}.time_months >= km_months.month then 1 else 0 end) as at_risk,
        sum(case when {{ subjects }}.time_months = km_months.month and {{ subjects }}.is_event then 1 else 0 end) as events,
        sum(case when {{ subjects }}.time_months = km_months.month and not {{ subjects }}.is_event then 1 else 0 end) as censored
    from km_months
    cross join {{ subjects }}
    group by km_months.month
),

km_terms as (
    select
        month,
        at_risk,
        events,
        censored,
        case
            when at_risk > events then ln(1.0 - cast(events as double precision) / cast(at_risk as double precision))
            else 0.0
        end as log_term,
        case when at_risk > 0 and events = at_risk then 1 else 0 end as zero_flag,
        case
            when at_risk > events
                then cast(events as double precision)
                    / (cast(at_risk as double precision) * cast(at_risk - events as double precision))
            else 0.0
        end as greenwood_term
    from km_counts
),

km_running as (
    select
        month,
        at_risk,
        events,
        censored,
        sum(zero_flag) over (order by month rows between unbounded preceding and current row) as zero_flags,
        sum(log_term) over (order by month rows between unbounded preceding and current row) as log_survival,
        sum(greenwood_term) over (order by month rows between unbounded preceding and current row) as greenwood_sum
    from km_terms
),

km_survival as (
    select
        month,
        at_risk,
        events,
        censored,
        case when zero_flags > 0 then 0.0 else exp(log_survival) end as survival,
        greenwood_sum
    from km_running
),

km_final as (
    select
        cast(month as integer) as month,
        cast(at_risk as integer) as at_risk,
        cast(events as integer) as events,
        cast(censored as integer) as censored,
        {{ events_round('survival', 10) }} as survival,
        {{ events_round('greatest(0.0, survival - ' ~ var('km_confidence_z', 1.96) ~ ' * sqrt(survival * survival * greenwood_sum))', 10) }} as ci_lower,
        {{ events_round('least(1.0, survival + ' ~ var('km_confidence_z', 1.96) ~ ' * sqrt(survival * survival * greenwood_sum))', 10) }} as ci_upper
    from km_survival
)
{%- endmacro %}

{#- Kaplan–Meier curve mart body shared by survival_curve_startups and
    survival_curve_placements (kpis.md). From `source` (a CTE of subjects) keeps the rows with
    start <= as_of (and `where`, if given); a subject's time is the whole calendar months from
    `start_col` to its event (`event_col` <= as_of), else to its censoring date (`censor_col`
    <= as_of, if given), else to as_of; negative times count as 0. Emits the CTEs `observed`,
    `subjects`, the events_km_curve CTEs and `final`; call after `with recursive <source> as
    (...),` and end with `select * from final`. -#}
{% macro events_km_curve_from(source, start_col, event_col, censor_col=none, where=none) -%}
observed as (
    select
        {{ start_col }} as origin_date,
        case
            when {{ event_col }} is not null and {{ event_col }} <= {{ as_of() }} then {{ event_col }}
            {%- if censor_col %}
            when {{ censor_col }} is not null and {{ censor_col }} <= {{ as_of() }} then {{ censor_col }}
            {%- endif %}
            else {{ as_of() }}
        end as end_date,
        {{ event_col }} is not null and {{ event_col }} <= {{ as_of() }} as is_event
    from {{ source }}
    where {{ start_col }} <= {{ as_of() }}
        {%- if where %}
        and {{ where }}
        {%- endif %}
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
{%- endmacro %}
