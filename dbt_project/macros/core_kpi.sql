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
