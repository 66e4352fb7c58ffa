{#- Shared SQL of the population models (kpis.md, P(D)). -#}

{% macro population_latest_snapshots(dates) -%}
{#- One row per (pop_date, village) for every date of the CTE `dates` (column pop_date) and
    every village active at that date: the date of the village's latest snapshot <= pop_date.
    Villages without any snapshot by then have no row. -#}
    select
        {{ dates }}.pop_date,
        latest_villages.village_code,
        max(latest_snapshots.snapshot_date) as snapshot_date
    from {{ dates }}
    inner join {{ ref('villages') }} as latest_villages
        on latest_villages.active_from <= {{ dates }}.pop_date
        and (
            latest_villages.active_to is null
            or latest_villages.active_to >= {{ dates }}.pop_date
        )
    inner join (
        select distinct
            village_code,
            snapshot_date
        from {{ ref('int_roster__snapshot_rows') }}
    ) as latest_snapshots
        on latest_snapshots.village_code = latest_villages.village_code
        and latest_snapshots.snapshot_date <= {{ dates }}.pop_date
    group by
        {{ dates }}.pop_date,
        latest_villages.village_code
{%- endmacro %}
