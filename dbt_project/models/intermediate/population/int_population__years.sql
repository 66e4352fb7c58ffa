-- Assessment years with their reference date R(Y), as the population models read them:
-- a thin pass-through of the shared int_years (A2), so the population unit tests can give
-- their years in one place.
with years as (
    select * from {{ ref('int_years') }}
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
