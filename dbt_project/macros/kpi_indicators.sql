{#- The indicators of a model and its spine (kpis.md), shared by int_kpi__population_indicators
    and int_kpi__event_indicators. Emits the CTEs `indicators` (indicator_code, is_rate,
    has_denominator, has_exclusion from `indicator_flags`, a list of
    [code, is_rate, has_denominator, has_exclusion]) and `spine`: a town row (village_code
    NULL) per year of `years` and indicator, and a row per (year, village_code) of
    `village_years` (the villages active at R(Y)) and indicator. -#}
{% macro kpi_indicator_spine(indicator_flags, village_years, years='years') -%}
indicators as (
    -- indicator_code, is_rate, has_denominator, has_exclusion (fixed by kpis.md)
    {%- for flags in indicator_flags %}
    select '{{ flags[0] }}' as indicator_code,
        {{ 'true' if flags[1] else 'false' }} as is_rate,
        {{ 'true' if flags[2] else 'false' }} as has_denominator,
        {{ 'true' if flags[3] else 'false' }} as has_exclusion
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

spine as (
    select
        {{ years }}.year,
        cast(null as varchar) as village_code,
        indicators.*
    from {{ years }}
    cross join indicators
    union all
    select
        {{ village_years }}.year,
        {{ village_years }}.village_code,
        indicators.*
    from {{ village_years }}
    cross join indicators
)
{%- endmacro %}

{#- Indicator rows from cohort members (kpis.md), shared by int_kpi__population_indicators
    and int_kpi__event_indicators. Emits the CTEs `town_counts`, `village_counts`, `counted`
    and `final`; the caller defines
      - `spine`: one row per (year, village_code, indicator) wanted — village_code NULL for the
        town row — with the flags is_rate, has_denominator, has_exclusion;
      - `members` (the relation named by `members`): one row per cohort member with year,
        indicator_code, village_code, member_status ('numerator' / 'denominator' /
        'excluded' / ...) and in_numerator;
    and ends with `select * from final`. Counts: numerator = members in the numerator,
    denominator = members with status numerator or denominator, excluded = members with
    status excluded; a missing cohort counts 0. Output: denominator only where the indicator
    has one, excluded only where an exclusion rule applies, value = numerator for counts,
    numerator / denominator for rates (NULL when the denominator is 0).
    town_where: optional SQL condition on the members counted in the town row. -#}
{% macro kpi_indicator_rows(members, town_where=none) -%}
town_counts as (
    select
        year,
        indicator_code,
        {{ kpi_member_counts() }}
    from {{ members }}
    {%- if town_where %}
    where {{ town_where }}
    {%- endif %}
    group by
        year,
        indicator_code
),

village_counts as (
    select
        year,
        indicator_code,
        village_code,
        {{ kpi_member_counts() }}
    from {{ members }}
    where village_code is not null
    group by
        year,
        indicator_code,
        village_code
),

counted as (
    select
        spine.year,
        spine.village_code,
        spine.indicator_code,
        spine.is_rate,
        spine.has_denominator,
        spine.has_exclusion,
        coalesce(town_counts.numerator, village_counts.numerator, 0) as numerator,
        coalesce(town_counts.denominator, village_counts.denominator, 0) as denominator,
        coalesce(town_counts.excluded, village_counts.excluded, 0) as excluded
    from spine
    left join town_counts
        on spine.village_code is null
        and town_counts.year = spine.year
        and town_counts.indicator_code = spine.indicator_code
    left join village_counts
        on village_counts.year = spine.year
        and village_counts.indicator_code = spine.indicator_code
        and village_counts.village_code = spine.village_code
),

final as (
    select
        cast(year as integer) as year,
        village_code,
        indicator_code,
        cast(numerator as integer) as numerator,
        case when has_denominator then cast(denominator as integer) end as denominator,
        case when has_exclusion then cast(excluded as integer) end as excluded,
        case
            when not is_rate then cast(numerator as double precision)
            when denominator = 0 then null
            else cast(numerator as double precision) / cast(denominator as double precision)
        end as value
    from counted
)
{%- endmacro %}

{#- numerator, denominator and excluded of a group of cohort members (see kpi_indicator_rows). -#}
{% macro kpi_member_counts() -%}
sum(case when in_numerator then 1 else 0 end) as numerator,
        sum(case when member_status in ('numerator', 'denominator') then 1 else 0 end) as denominator,
        sum(case when member_status = 'excluded' then 1 else 0 end) as excluded
{%- endmacro %}
