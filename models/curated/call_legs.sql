{#
  One row per call leg. A Connect leg is reported by the session summary, by call-status
  events and by Voice log-export rows; whichever arrive, in whatever order and however
  often, fold into one row per leg_id. A Work leg (pulled, call_id 'work:<callId>') is its
  newest version; it appears once its call record has been pulled too (a leg is listed by
  its end, the call by its start, so they can come in different windows).
#}
{{ config(materialized='incremental', unique_key=['call_id', 'leg_id'], updated_at='last_updated_at', tags=['calls', 'curated']) }}

with observations as (
  select
    session_id as call_id,
    coalesce(leg_id, leg_name) as leg_id,
    leg_name, event_type, leg_status, direction, call_type, source_raw, destination_raw,
    source_region, destination_region, initiated_at, connected_at, disconnected_at, event_at,
    reported_duration_seconds, first_received_at, landed_at
  from {{ ref('stg_voice_legs') }}
  where session_id is not null
  {% if is_incremental() %}
    and {{ changed_since_last_build('session_id', ref('stg_voice_legs')) }}
  {% endif %}
),

-- The leg's final word: the session summary when there is one, else its latest status event.
last_word as (
  {{ first_row_per(
      'select call_id, leg_id, leg_status, leg_name, event_type, event_at, reported_duration_seconds from observations',
      'call_id, leg_id',
      "case when event_type = 'SESSION_SUMMARY' then 0 else 1 end, event_at desc"
  ) }}
),

rollup as (
  select
    call_id, leg_id,
    max(direction) as direction,
    max(call_type) as call_type,
    max(source_raw) as from_raw,
    max(destination_raw) as to_raw,
    max(source_region) as from_region,
    max(destination_region) as to_region,
    min(initiated_at) as started_at,
    min(connected_at) as answered_at,
    max(disconnected_at) as ended_at,
    min(first_received_at) as first_seen_at,
    max(landed_at) as last_updated_at
  from observations
  group by call_id, leg_id
),

connect_legs as (
select
  r.call_id,
  r.leg_id,
  case when w.leg_name in ('status', 'export') then null else w.leg_name end as leg_name,
  r.direction,
  r.call_type,
  {{ phone_pair_columns('r.from_raw', 'r.to_raw') }},
  r.started_at,
  r.answered_at,
  r.ended_at,
  lower(w.leg_status) as status,
  {% set reported_else_measured_talk %}coalesce(
    case when w.event_type in ('SESSION_SUMMARY', 'VOICE_LOG_EXPORT') or w.leg_status = 'CALL_DISCONNECTED' then w.reported_duration_seconds end,
    {{ seconds_between('r.answered_at', 'r.ended_at') }}
  ){% endset %}
  {{ whole_seconds(reported_else_measured_talk) }} as talk_seconds,
  {{ whole_seconds_between('r.started_at', 'r.ended_at') }} as duration_seconds,
  r.first_seen_at,
  r.last_updated_at
from rollup as r
join last_word as w on w.call_id = r.call_id and w.leg_id = r.leg_id
{{ phone_pair_joins('r.from_raw', 'r.from_region', 'r.to_raw', 'r.to_region') }}
),

-- Work legs whose call record has been pulled: every version (work_versions), the newest
-- (work_latest), when first seen (work_seen). A leg is built again when it or its call changed.
{{ latest_version_ctes(
    'work', ref('stg_work_legs'), 'call_id, leg_id',
    where='call_id in (select call_id from ' ~ ref('stg_work_calls') ~ ')',
    changed_key='call_id', changed_in=[ref('stg_work_legs'), ref('stg_work_calls')]
) }},

work_calls as (
  select call_id, direction, landed_at, dedupe_key
  from {{ ref('stg_work_calls') }}
  where call_id in (select call_id from work_versions)
),

work_direction as (
  {{ first_row_per('select * from work_calls', 'call_id', 'landed_at desc, dedupe_key desc') }}
),

work_legs as (
select
  w.call_id,
  w.leg_id,
  cast(null as {{ type('text') }}) as leg_name,
  d.direction,
  cast(null as {{ type('text') }}) as call_type,
  {{ phone_pair_columns('w.caller_raw', 'w.callee_raw') }},
  w.started_at,
  w.answered_at,
  w.ended_at,
  w.status,
  {{ whole_seconds_of_ms('w.talk_ms') }} as talk_seconds,
  {{ whole_seconds_between('w.started_at', 'w.ended_at') }} as duration_seconds,
  seen.first_seen_at,
  seen.last_updated_at
from work_latest as w
join work_seen as seen on seen.call_id = w.call_id and seen.leg_id = w.leg_id
left join work_direction as d on d.call_id = w.call_id
{{ phone_pair_joins('w.caller_raw', 'w.region_hint', 'w.callee_raw', 'w.region_hint') }}
)

select * from connect_legs
union all
select * from work_legs
