{#
  One row per version of an 8x8 Work call leg, as `switchboard pull work-analytics` lands
  them in raw.work_events (8x8.md §4.2, /v2/call-legs): who rang whom on that leg, its
  times (epoch ms, 0 meaning never), status ("Completed") and cause ("Ring No Answer").
  call_id is 'work:<callId>', as in stg_work_calls. The caller's number falls back as in
  stg_work_calls (callerId, then a numeric callerName); the callee's, when the leg has none,
  to the call's dialled number (dnis), which the legs carry too
  (docs/analytics/docs/work-analytics-call-legs.md).
#}
{% macro present(expr) -%}
  nullif(nullif(trim({{ expr }}), ''), '-')
{%- endmacro %}
{{ config(materialized='incremental', unique_key='dedupe_key', merge_window_column='landed_at', updated_at='landed_at', tags=['calls', 'staging', 'pulls']) }}

with events as (
  select dedupe_key, body, first_received_at, landed_at
  from {{ landed_events('work_events') }}
  where event_type = 'WORK_CALL_LEG'
  {% if is_incremental() %}
    and landed_at > {{ watermark('landed_at') }}
  {% endif %}
),

fields as (
  select
    dedupe_key, first_received_at, landed_at,
    {{ json_text('body', 'callId') }} as work_call_id,
    {{ json_text('body', 'legId') }} as leg_id,
    {{ json_text('body', 'startTimeUTC') }} as start_text,
    {{ json_text('body', 'connectTimeUTC') }} as connect_text,
    {{ json_text('body', 'disconnectedTimeUTC') }} as disconnect_text,
    {{ json_text('body', 'talkTimeMS') }} as talk_ms_text,
    {{ json_text('body', 'caller') }} as caller,
    {{ json_text('body', 'callerId') }} as caller_id,
    {{ json_text('body', 'callerName') }} as caller_name,
    {{ json_text('body', 'callee') }} as callee,
    {{ json_text('body', 'dnis') }} as dnis,
    {{ json_text('body', 'status') }} as status_text,
    {{ json_text('body', 'cause') }} as cause
  from events
)

select
  dedupe_key,
  'work:' || work_call_id as call_id,
  leg_id,
  coalesce(
    {{ present('caller') }}, {{ present('caller_id') }},
    case when {{ regex_matches('trim(caller_name)', '[+]?[0-9]{7,15}') }} then trim(caller_name) end,
    nullif(trim(caller), '')
  ) as caller_raw,
  coalesce({{ present('callee') }}, {{ present('dnis') }}, nullif(trim(callee), '')) as callee_raw,
  '{{ var("region_work", var("default_region", "")) }}' as region_hint,
  {{ to_utc('start_text') }} as started_at,
  {{ to_utc('connect_text') }} as answered_at,
  {{ to_utc('disconnect_text') }} as ended_at,
  {{ safe_cast('talk_ms_text', 'bigint') }} as talk_ms,
  lower(nullif(trim(status_text), '')) as status,
  nullif(trim(cause), '') as cause,
  first_received_at,
  landed_at
from fields
where work_call_id is not null and leg_id is not null
