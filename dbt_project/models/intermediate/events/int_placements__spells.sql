-- Placement spells (log lines with 是否上岗=是): one line per (village log, person, 上岗日期,
-- employer = USCC else name); is_town_spell marks the one line per (person, 上岗日期, employer)
-- over all logs that counts for the town (newest log, then smallest village code, then row).
with lines as (
    select * from {{ ref('int_referrals__selected') }}
),

placed as (
    select
        lines.*,
        coalesce(employer_uscc, employer_name) as employer_key
    from lines
    where placed
        and start_date is not null
),

village_ranked as (
    select
        placed.*,
        row_number() over (
            partition by village_code, person_key, start_date, employer_key
            order by row_number
        ) as village_rank
    from placed
),

village_lines as (
    select * from village_ranked where village_rank = 1
),

town_ranked as (
    select
        village_lines.*,
        row_number() over (
            partition by person_key, start_date, employer_key
            order by log_period desc, village_code, row_number
        ) as town_rank
    from village_lines
),

final as (
    select
        village_code,
        person_key,
        id_masked,
        start_date,
        end_date,
        employer_key,
        log_period,
        town_rank = 1 as is_town_spell,
        source_sha256,
        sheet,
        row_number
    from town_ranked
)

select * from final
