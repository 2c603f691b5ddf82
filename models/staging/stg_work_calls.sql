{#
  One row per 8x8 Work call record, as `switchboard pull work-analytics` lands them in
  raw.work_events (8x8.md §4.2). The messy fields are tidied here, once:
  - times from the epoch-ms *TimeUTC fields, where 0 means "never" (connectTimeUTC of a
    missed call);
  - "Missed"/"Abandoned"/"Answered" or "-" become booleans;
  - direction "Incoming"/"Outgoing"/"Internal" becomes inbound/outbound/internal;
  - callee may be an extension ("1042"), "CallQueue", "Voicemail (120088)" or a number;
    dnis is the dialled number without its "+". The phone lookup sorts these out.
  - the caller's number: caller, else (missing, or Work Analytics' "-") callerId ("NAME,+1…",
    the number after the comma), else callerName when it is a number, as the docs' second
    sample has it ("callerName": "15551234567"); docs/analytics/docs/work-analytics-call-detail-records.md.
  call_id is `work:<callId>`, so it never collides with a Connect sessionId in `calls`.
#}
{% macro present(expr) -%}
  nullif(nullif(trim({{ expr }}), ''), '-')
{%- endmacro %}
{{ config(materialized='incremental', unique_key='dedupe_key', merge_window_column='landed_at', updated_at='landed_at', tags=['calls', 'staging', 'pulls']) }}

with events as (
  select dedupe_key, body, first_received_at, landed_at
  from {{ landed_events('work_events') }}
  where event_type = 'WORK_CALL_RECORD'
  {% if is_incremental() %}
    and landed_at > {{ watermark('landed_at') }}
  {% endif %}
),

fields as (
  select
    dedupe_key, first_received_at, landed_at,
    {{ json_text('body', 'callId') }} as work_call_id,
    {{ json_text('body', 'pbxId') }} as pbx_id,
    {{ json_text('body', 'startTimeUTC') }} as start_text,
    {{ json_text('body', 'connectTimeUTC') }} as connect_text,
    {{ json_text('body', 'disconnectedTimeUTC') }} as disconnect_text,
    {{ json_text('body', 'talkTimeMS') }} as talk_ms_text,
    {{ json_text('body', 'callTime') }} as call_ms_text,
    {{ json_text('body', 'waitTimeMS') }} as wait_ms_text,
    {{ json_text('body', 'caller') }} as caller,
    {{ json_text('body', 'callerId') }} as caller_id,
    {{ json_text('body', 'callerName') }} as caller_name,
    {{ json_text('body', 'callee') }} as callee,
    {{ json_text('body', 'calleeName') }} as callee_name,
    {{ json_text('body', 'dnis') }} as dnis,
    {{ json_text('body', 'direction') }} as direction_text,
    {{ json_text('body', 'missed') }} as missed_text,
    {{ json_text('body', 'abandoned') }} as abandoned_text,
    {{ json_text('body', 'answered') }} as answered_text,
    {{ json_text('body', 'lastLegDisposition') }} as last_leg_disposition,
    {{ json_text('body', 'callLegCount') }} as leg_count_text
  from events
)

select
  dedupe_key,
  'work:' || work_call_id as call_id,
  work_call_id,
  pbx_id,
  case lower(direction_text) when 'incoming' then 'inbound' when 'outgoing' then 'outbound' when 'internal' then 'internal' end as direction,
  coalesce(
    {{ present('caller') }}, {{ present('caller_id') }},
    case when {{ regex_matches('trim(caller_name)', '[+]?[0-9]{7,15}') }} then trim(caller_name) end,
    nullif(trim(caller), '')
  ) as caller_raw,
  nullif(trim(callee), '') as callee_raw,
  callee_name,
  nullif(trim(dnis), '') as dnis_raw,
  '{{ var("region_work", var("default_region", "")) }}' as region_hint,
  {{ to_utc('start_text') }} as started_at,
  {{ to_utc('connect_text') }} as answered_at,
  {{ to_utc('disconnect_text') }} as ended_at,
  {{ safe_cast('talk_ms_text', 'bigint') }} as talk_ms,
  {{ safe_cast('call_ms_text', 'bigint') }} as call_ms,
  {{ safe_cast('wait_ms_text', 'bigint') }} as wait_ms,
  coalesce(lower(missed_text) = 'missed', false) as is_missed_flag,
  coalesce(lower(abandoned_text) = 'abandoned', false) as is_abandoned_flag,
  coalesce(lower(answered_text) = 'answered', false) as is_answered_flag,
  lower(last_leg_disposition) as last_leg_disposition,
  {{ safe_cast('leg_count_text', 'integer') }} as leg_count,
  callee = 'CallQueue' as via_queue,
  first_received_at,
  landed_at
from fields
where work_call_id is not null
