-- Person cohorts of the four person-based cohort indicators, one row per
-- (indicator, year, person), with the row that put the person in the cohort (the latest
-- qualifying row seen in Y; tie -> smaller village code) and the follow-up status at R:
--   numerator   : in P(R) in class E
--   denominator : in P(R) in class U (in the denominator, not in the numerator)
--   excluded    : absent from P(R) or in class O at R (follow-up exclusion)
with seen_rows as (
    select * from {{ ref('int_roster__seen_in_year') }}
),

at_reference as (
    select * from {{ ref('int_population__at_reference') }}
),

qualifying_rows as (
    select 'registered_unemployed_reemployment_rate' as indicator_code, seen_rows.*
    from seen_rows
    where employment_status = '登记失业'
    union all
    select 'hard_to_employ_placement_rate' as indicator_code, seen_rows.*
    from seen_rows
    where tags like '%|就业困难人员|%'
        and labour_class = 'U'
    union all
    select 'hard_to_employ_graduate_placement_rate' as indicator_code, seen_rows.*
    from seen_rows
    where tags like '%|就业困难高校毕业生|%'
        and labour_class = 'U'
    union all
    select 'long_term_unemployed_youth_employed' as indicator_code, seen_rows.*
    from seen_rows
    where tags like '%|长期失业青年|%'
),

ranked as (
    select
        qualifying_rows.*,
        row_number() over (
            partition by qualifying_rows.indicator_code, qualifying_rows.year, qualifying_rows.person_key
            order by
                qualifying_rows.snapshot_date desc,
                qualifying_rows.village_code asc,
                qualifying_rows.source_sha256 asc,
                qualifying_rows.row_number asc
        ) as row_rank
    from qualifying_rows
),

final as (
    select
        ranked.year,
        ranked.reference_date,
        ranked.indicator_code,
        ranked.person_key,
        ranked.village_code,
        ranked.household_no,
        ranked.snapshot_date as cohort_snapshot_date,
        ranked.source_sha256,
        ranked.sheet,
        ranked.row_number,
        at_reference.village_code as village_code_at_ref,
        at_reference.household_no as household_no_at_ref,
        at_reference.labour_class as labour_class_at_ref,
        coalesce(at_reference.id_masked, ranked.id_masked) as id_masked,
        coalesce(at_reference.person_name, ranked.person_name) as person_name,
        case
            when at_reference.person_key is null or at_reference.labour_class = 'O' then 'excluded'
            when at_reference.labour_class = 'E' then 'numerator'
            else 'denominator'
        end as member_status,
        coalesce(at_reference.labour_class = 'E', false) as in_numerator
    from ranked
    left join at_reference
        on at_reference.year = ranked.year
        and at_reference.person_key = ranked.person_key
    where ranked.row_rank = 1
)

select * from final
