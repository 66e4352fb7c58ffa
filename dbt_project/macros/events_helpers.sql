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
