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
    and session_id in (select session_id from {{ ref('stg_voice_legs') }} where landed_at > {{ watermark('last_updated_at') }})
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
  {{ pii('f.e164', 'phone', 'from_e164') }} as from_e164,
  {{ pii('t.e164', 'phone', 'to_e164') }} as to_e164,
  {{ pii('r.from_raw', 'phone', 'from_raw') }} as from_raw,
  {{ pii('r.to_raw', 'phone', 'to_raw') }} as to_raw,
  f.extension as from_extension,
  t.extension as to_extension,
  r.started_at,
  r.answered_at,
  r.ended_at,
  lower(w.leg_status) as status,
  cast(round(coalesce(
    case when w.event_type in ('SESSION_SUMMARY', 'VOICE_LOG_EXPORT') or w.leg_status = 'CALL_DISCONNECTED' then w.reported_duration_seconds end,
    {{ seconds_between('r.answered_at', 'r.ended_at') }}
  )) as {{ type('bigint') }}) as talk_seconds,
  cast(round({{ seconds_between('r.started_at', 'r.ended_at') }}) as {{ type('bigint') }}) as duration_seconds,
  r.first_seen_at,
  r.last_updated_at
from rollup as r
join last_word as w on w.call_id = r.call_id and w.leg_id = r.leg_id
left join {{ ref('phone_numbers') }} as f on f.raw = r.from_raw and f.region_hint = r.from_region
left join {{ ref('phone_numbers') }} as t on t.raw = r.to_raw and t.region_hint = r.to_region
),

work_versions as (
  select *
  from {{ ref('stg_work_legs') }}
  where call_id in (select call_id from {{ ref('stg_work_calls') }})
  {% if is_incremental() %}
    and (
      call_id in (select call_id from {{ ref('stg_work_legs') }} where landed_at > {{ watermark('last_updated_at') }})
      or call_id in (select call_id from {{ ref('stg_work_calls') }} where landed_at > {{ watermark('last_updated_at') }})
    )
  {% endif %}
),

work_latest as (
  {{ first_row_per('select * from work_versions', 'call_id, leg_id', 'landed_at desc, dedupe_key desc') }}
),

work_seen as (
  select call_id, leg_id, min(first_received_at) as first_seen_at, max(landed_at) as last_updated_at
  from work_versions
  group by call_id, leg_id
),

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
  {{ pii('f.e164', 'phone', 'from_e164') }} as from_e164,
  {{ pii('t.e164', 'phone', 'to_e164') }} as to_e164,
  {{ pii('w.caller_raw', 'phone', 'from_raw') }} as from_raw,
  {{ pii('w.callee_raw', 'phone', 'to_raw') }} as to_raw,
  f.extension as from_extension,
  t.extension as to_extension,
  w.started_at,
  w.answered_at,
  w.ended_at,
  w.status,
  cast(round(w.talk_ms / 1000.0) as {{ type('bigint') }}) as talk_seconds,
  cast(round({{ seconds_between('w.started_at', 'w.ended_at') }}) as {{ type('bigint') }}) as duration_seconds,
  seen.first_seen_at,
  seen.last_updated_at
from work_latest as w
join work_seen as seen on seen.call_id = w.call_id and seen.leg_id = w.leg_id
left join work_direction as d on d.call_id = w.call_id
left join {{ ref('phone_numbers') }} as f on f.raw = w.caller_raw and f.region_hint = w.region_hint
left join {{ ref('phone_numbers') }} as t on t.raw = w.callee_raw and t.region_hint = w.region_hint
)

select * from connect_legs
union all
select * from work_legs
