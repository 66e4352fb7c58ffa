{#- Generic test (A2 core): the combination of `columns` is unique (NULLs compare equal). -#}
{% test core_unique_combination(model, columns) %}
    select
        {{ columns | join(', ') }},
        count(*) as n_rows
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}
