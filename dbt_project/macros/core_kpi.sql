{#- A2 core: target evaluation shared by kpi_town_year and kpi_village_year (kpis.md).
    Tolerance var core_tolerance (default 1e-9) absorbs floating-point noise. -#}
{% macro core_tolerance() -%}{{ var('core_tolerance', 0.000000001) }}{%- endmacro %}

{#- target_met: NULL when no target or no value; '>prev' is strict. -#}
{% macro core_target_met(value, target, comparator) -%}
    case
        when {{ value }} is null or {{ target }} is null or {{ comparator }} is null then cast(null as boolean)
        when {{ comparator }} = '>=' then {{ value }} >= {{ target }} - {{ core_tolerance() }}
        when {{ comparator }} = '<=' then {{ value }} <= {{ target }} + {{ core_tolerance() }}
        when {{ comparator }} = '=' then abs({{ value }} - {{ target }}) <= {{ core_tolerance() }}
        when {{ comparator }} = '>prev' then {{ value }} > {{ target }} + {{ core_tolerance() }}
    end
{%- endmacro %}

{#- attainment = value / target for counts; NULL for rates and when the target is NULL/0. -#}
{% macro core_attainment(value, target, unit) -%}
    case
        when {{ unit }} = 'count' and {{ target }} is not null and {{ target }} <> 0
            then cast({{ value }} as double precision) / cast({{ target }} as double precision)
    end
{%- endmacro %}

{#- Round to 2 decimals portably (Postgres has no round(double, int)). -#}
{% macro core_round2(expr) -%}
    cast(round(cast({{ expr }} as numeric(18, 6)), 2) as numeric(8, 2))
{%- endmacro %}

{#- KPI rows with their targets (kpi_town_year, kpi_village_year; kpis.md). Emits the CTEs
    `joined`, `targeted` and `final`; the caller defines CTEs `years`, `indicators` (already
    filtered to its grain), `catalog` and `targets` and ends with `select * from final`.
    grain_keys: extra key columns of indicators/targets beyond (year, indicator_code), e.g.
    ['village_code']; they also match the previous year's row ('>prev' target).
    labels: [[name, expr], ...] descriptive varchar columns after the keys (from extra_joins).
    extra_joins: SQL joined after `inner join years` (e.g. the active-village filter).
    Target: NULL without a target row; '>prev' takes the previous year's value. -#}
{% macro core_kpi_with_targets(grain_keys=[], labels=[], extra_joins='') -%}
joined as (
    select
        indicators.year,
        years.as_of,
        years.reference_date,
        years.is_draft,
        {%- for key in grain_keys %}
        indicators.{{ key }},
        {%- endfor %}
        {%- for label in labels %}
        {{ label[1] }} as {{ label[0] }},
        {%- endfor %}
        indicators.indicator_code,
        catalog.indicator_name,
        catalog.unit,
        indicators.numerator,
        indicators.denominator,
        indicators.excluded,
        indicators.value,
        prev.value as prev_value,
        cast(targets.target as double precision) as target_number,
        targets.year is not null as has_target,
        coalesce(targets.comparator, catalog.comparator) as comparator
    from indicators
    inner join years on years.year = indicators.year
    {{ extra_joins }}
    inner join catalog on catalog.indicator_code = indicators.indicator_code
    left join indicators as prev
        on prev.year = indicators.year - 1
        {%- for key in grain_keys %}
        and prev.{{ key }} = indicators.{{ key }}
        {%- endfor %}
        and prev.indicator_code = indicators.indicator_code
    left join targets
        on targets.year = indicators.year
        {%- for key in grain_keys %}
        and targets.{{ key }} = indicators.{{ key }}
        {%- endfor %}
        and targets.indicator_code = indicators.indicator_code
),

targeted as (
    select
        joined.*,
        case
            when not has_target then cast(null as double precision)
            when comparator = '>prev' then prev_value
            else target_number
        end as target
    from joined
),

final as (
    select
        cast(year as integer) as year,
        cast(as_of as date) as as_of,
        cast(reference_date as date) as reference_date,
        cast(is_draft as boolean) as is_draft,
        {%- for key in grain_keys %}
        cast({{ key }} as varchar) as {{ key }},
        {%- endfor %}
        {%- for label in labels %}
        cast({{ label[0] }} as varchar) as {{ label[0] }},
        {%- endfor %}
        cast(indicator_code as varchar) as indicator_code,
        cast(indicator_name as varchar) as indicator_name,
        cast(unit as varchar) as unit,
        cast(numerator as bigint) as numerator,
        cast(denominator as bigint) as denominator,
        cast(excluded as bigint) as excluded,
        cast(value as double precision) as value,
        cast(target as double precision) as target,
        cast(comparator as varchar) as comparator,
        {{ core_target_met('value', 'target', 'comparator') }} as target_met,
        cast({{ core_attainment('value', 'target', 'unit') }} as double precision) as attainment
    from targeted
)
{%- endmacro %}
