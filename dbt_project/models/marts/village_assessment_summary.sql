-- Total score, grade and rank per year × village (kpis.md): total = sum of item scores
-- (two decimals); grade ≥ 90 优秀, ≥ 75 良好, ≥ 60 合格, else 不合格 (thresholds from vars);
-- rank by score descending, ties share the rank and the next rank skips (1, 2, 2, 4).
with items as (
    select * from {{ ref('village_assessment') }}
),

totals as (
    select
        year,
        village_code,
        village_name,
        {{ core_round2('sum(item_score)') }} as total_score
    from items
    group by year, village_code, village_name
),

final as (
    select
        cast(year as integer) as year,
        cast(village_code as varchar) as village_code,
        cast(village_name as varchar) as village_name,
        total_score,
        cast(case
            when total_score >= {{ var('grade_excellent', 90) }} then '优秀'
            when total_score >= {{ var('grade_good', 75) }} then '良好'
            when total_score >= {{ var('grade_pass', 60) }} then '合格'
            else '不合格'
        end as varchar) as grade,
        cast(rank() over (partition by year order by total_score desc) as integer) as rank
    from totals
)

select * from final
