{#- Portable date arithmetic (DuckDB and Postgres both clamp month ends:
    2024-01-31 + 1 month = 2024-02-29, as kpis.md requires). Checked on both engines by
    tests/test_dbt_postgres.py. -#}

{% macro add_months(date_expr, n) -%}
    cast({{ date_expr }} + ({{ n }}) * interval '1 month' as date)
{%- endmacro %}

{% macro add_days(date_expr, n) -%}
    cast({{ date_expr }} + ({{ n }}) * interval '1 day' as date)
{%- endmacro %}

{#- Last day of the month of date_expr. -#}
{% macro month_end(date_expr) -%}
    cast(date_trunc('month', {{ date_expr }}) + interval '1 month' - interval '1 day' as date)
{%- endmacro %}

{% macro month_start(date_expr) -%}
    cast(date_trunc('month', {{ date_expr }}) as date)
{%- endmacro %}

{% macro year_of(date_expr) -%}
    cast(extract(year from {{ date_expr }}) as integer)
{%- endmacro %}

{#- Whole days between two dates (later minus earlier). date - date is an integer number of
    days on DuckDB and Postgres alike (standard SQL), so no DuckDB-only datediff; an adapter
    whose date subtraction differs adds its own <adapter>__days_between. -#}
{% macro days_between(start_expr, end_expr) -%}
    {{ return(adapter.dispatch('days_between', 'yiye')(start_expr, end_expr)) }}
{%- endmacro %}
{% macro default__days_between(start_expr, end_expr) -%}
    (cast({{ end_expr }} as date) - cast({{ start_expr }} as date))
{%- endmacro %}

{#- The run's as_of date and first_year, from vars. -#}
{% macro as_of() -%}cast('{{ var("as_of") }}' as date){%- endmacro %}
{% macro first_year() -%}{{ var("first_year") | int }}{%- endmacro %}
