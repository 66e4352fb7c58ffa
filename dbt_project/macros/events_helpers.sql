{#- Helpers of the event models (engineer B). Portable to Postgres. -#}

{#- January 1st of an integer year expression. -#}
{% macro events_year_start(year_expr) -%}
    cast(cast({{ year_expr }} as varchar) || '-01-01' as date)
{%- endmacro %}

{#- A fixed month-day of an integer year expression, md like '06-30'. -#}
{% macro events_year_date(year_expr, md) -%}
    cast(cast({{ year_expr }} as varchar) || '-{{ md }}' as date)
{%- endmacro %}

{#- Whole calendar months from start to end (add_months(start, m) <= end). -#}
{% macro events_months_between(start_expr, end_expr) -%}
    (
        (12 * ({{ year_of(end_expr) }} - {{ year_of(start_expr) }})
            + cast(extract(month from {{ end_expr }}) as integer)
            - cast(extract(month from {{ start_expr }}) as integer))
        - case
            when {{ add_months(start_expr, '12 * (' ~ year_of(end_expr) ~ ' - ' ~ year_of(start_expr) ~ ') + cast(extract(month from ' ~ end_expr ~ ') as integer) - cast(extract(month from ' ~ start_expr ~ ') as integer)') }} > {{ end_expr }}
                then 1
            else 0
        end
    )
{%- endmacro %}

{#- Round a double to `digits` decimals (Postgres needs numeric for round(x, n)). -#}
{% macro events_round(expr, digits) -%}
    {{ return(adapter.dispatch('events_round', 'yiye')(expr, digits)) }}
{%- endmacro %}
{% macro default__events_round(expr, digits) -%}
    cast(round(cast({{ expr }} as numeric), {{ digits }}) as double precision)
{%- endmacro %}
{% macro duckdb__events_round(expr, digits) -%}
    round(cast({{ expr }} as double), {{ digits }})
{%- endmacro %}

{#- Cohort scaffolding shared by startup_survival_cohorts and job_retention_cohorts
    (kpis.md): emits the CTEs `cohort_years` (every year of `years` plus the year before the
    first, so the first year's horizons have a cohort) and `horizons` (one integer column
    `horizon_column` with the given values). Use inside a `with` list after `years`. -#}
{% macro events_cohort_scaffold(years, horizon_column, horizon_values) -%}
cohort_years as (
    select year as cohort_year from {{ years }}
    union
    select min(year) - 1 as cohort_year from {{ years }}
),

horizons as (
    {%- for value in horizon_values %}
    select {{ value }}{% if loop.first %} as {{ horizon_column }}{% endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)
{%- endmacro %}

{#- Rate of a cohort cell: numerator / at_risk when the cell is complete and at_risk > 0,
    else NULL (an incomplete cell shows no rate). -#}
{% macro events_cohort_rate(complete, numerator, at_risk) -%}
case
            when {{ complete }} and coalesce({{ at_risk }}, 0) > 0
                then cast({{ numerator }} as double precision) / cast({{ at_risk }} as double precision)
        end
{%- endmacro %}
