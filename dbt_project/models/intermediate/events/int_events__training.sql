-- Members of the training indicators (kpis.md), one row per current training row and
-- indicator; village = the trainee's village in P(开班日期) (NULL when absent).
--   training_enrollments: 开班日期 in [Y-01-01, R(Y)].
--   training_completion_rate: 结业日期 in [Y-01-01, R(Y)]; numerator 是否结业=是.
--   training_certification_rate: completed, 结业日期 in [Y-01-01, R(Y)]; numerator non-empty
--     证书名称 and 取证日期 <= R(Y).
--   training_employment_rate_6m: completed, 结业日期 + 6 months in [Y-01-01, R(Y)], class U in
--     P(开班日期); numerator E in P(结业日期 + 6m) or a placement with 上岗日期 in
--     [开班日期, 结业日期 + 6m]; other members absent from or class O in P(结业日期 + 6m) excluded.
with years as (
    select * from {{ ref('int_years') }}
),

training as (
    select * from {{ ref('int_training__rows_current') }}
),

population as (
    select * from {{ ref('int_population__at_dates') }}
),

date_epochs as (
    select * from {{ ref('int_population__date_epochs') }}
),

spells as (
    select * from {{ ref('int_placements__spells') }}
),

enriched as (
    select
        training.*,
        {{ add_months('training.end_date', 6) }} as follow_up_date,
        at_start.village_code,
        at_start.labour_class as start_class,
        at_follow_up.labour_class as follow_up_class,
        exists (
            select 1
            from spells
            where spells.person_key = training.person_key
                and spells.start_date >= training.start_date
                and spells.start_date <= {{ add_months('training.end_date', 6) }}
        ) as placed_after_training
    from training
    -- P is stored once per epoch: each date finds its epoch first
    left join date_epochs as start_epoch
        on start_epoch.pop_date = training.start_date
    left join population as at_start
        on at_start.pop_date = start_epoch.epoch_date
        and at_start.person_key = training.person_key
    left join date_epochs as follow_up_epoch
        on follow_up_epoch.pop_date = {{ add_months('training.end_date', 6) }}
    left join population as at_follow_up
        on at_follow_up.pop_date = follow_up_epoch.epoch_date
        and at_follow_up.person_key = training.person_key
),

members as (
    select
        years.year,
        'training_enrollments' as indicator_code,
        'numerator' as member_status,
        enriched.*
    from years
    inner join enriched
        on enriched.start_date >= {{ events_year_start('years.year') }}
        and enriched.start_date <= years.reference_date
    union all
    select
        years.year,
        'training_completion_rate' as indicator_code,
        case when enriched.completed then 'numerator' else 'denominator' end as member_status,
        enriched.*
    from years
    inner join enriched
        on enriched.end_date >= {{ events_year_start('years.year') }}
        and enriched.end_date <= years.reference_date
    union all
    select
        years.year,
        'training_certification_rate' as indicator_code,
        case
            when coalesce(trim(enriched.certificate_name), '') <> ''
                and enriched.certificate_date <= years.reference_date
                then 'numerator'
            else 'denominator'
        end as member_status,
        enriched.*
    from years
    inner join enriched
        on enriched.completed
        and enriched.end_date >= {{ events_year_start('years.year') }}
        and enriched.end_date <= years.reference_date
    union all
    select
        years.year,
        'training_employment_rate_6m' as indicator_code,
        case
            when enriched.follow_up_class = 'E' or enriched.placed_after_training then 'numerator'
            when enriched.follow_up_class is null or enriched.follow_up_class = 'O' then 'excluded'
            else 'denominator'
        end as member_status,
        enriched.*
    from years
    inner join enriched
        on enriched.completed
        and enriched.start_class = 'U'
        and enriched.follow_up_date >= {{ events_year_start('years.year') }}
        and enriched.follow_up_date <= years.reference_date
),

final as (
    select
        year,
        indicator_code,
        village_code,
        class_id || '|' || person_key as member_key,
        person_key,
        cast(null as varchar) as enterprise_key,
        member_status,
        member_status = 'numerator' as in_numerator,
        true as counts_for_town,
        training_category,
        source_sha256,
        sheet,
        row_number
    from members
)

select * from final
