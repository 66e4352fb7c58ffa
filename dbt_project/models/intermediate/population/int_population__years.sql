-- Assessment years with their reference date R(Y) (private to the population models;
-- same columns as int_years of the shared contract).
with years as (
    {{ population_years_sql() }}
),

final as (
    select
        year,
        reference_date,
        is_draft,
        as_of
    from years
)

select * from final
