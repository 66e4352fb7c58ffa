{#- Assessment years first_year..year(as_of) with R(Y) = min(Y-12-31, as_of) (kpis.md),
    built from vars only. Private fallback of A1 until A2's int_years exists. -#}
{% macro population_years_sql() -%}
    {%- set first = var('first_year') | int -%}
    {%- set last = (var('as_of') | string)[:4] | int -%}
    {%- for y in range(first, last + 1) %}
    select
        {{ y }} as year,
        case
            when cast('{{ y }}-12-31' as date) <= {{ as_of() }} then cast('{{ y }}-12-31' as date)
            else {{ as_of() }}
        end as reference_date,
        cast('{{ y }}-12-31' as date) > {{ as_of() }} as is_draft,
        {{ as_of() }} as as_of
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
