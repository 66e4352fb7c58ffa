-- Assessment years first_year..year(as_of) with R(Y) = min(Y-12-31, as_of) (kpis.md).
-- Portable: a recursive CTE (DuckDB and Postgres), no generate_series/range.
with recursive year_series as (
    select {{ first_year() }} as year
    union all
    select year + 1 as year
    from year_series
    where year + 1 <= {{ year_of(as_of()) }}
),

year_ends as (
    select
        year,
        cast(cast(year as varchar) || '-12-31' as date) as year_end
    from year_series
),

final as (
    select
        cast(year as integer) as year,
        case when year_end <= {{ as_of() }} then year_end else {{ as_of() }} end as reference_date,
        year_end > {{ as_of() }} as is_draft,
        {{ as_of() }} as as_of
    from year_ends
)

select * from final
