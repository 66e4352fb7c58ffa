{#- Generic test unique_combination_of_columns(model, columns): fails with one row per
    combination of `columns` that occurs more than once in `model` (NULLs compare equal, as
    in GROUP BY). The one shared uniqueness test of every layer (core, population, events);
    it replaces core_/population_/events_unique_combination. Portable SQL. -#}
{% test unique_combination_of_columns(model, columns) %}
    select
        {{ columns | join(', ') }},
        count(*) as n_rows
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}
