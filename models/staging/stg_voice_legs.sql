{#
  One row per call leg per Connect voice event: each leg (callA, callB, …) of a
  SESSION_SUMMARY, and the leg a CALL_STATUS event reports on (leg_name 'status').
  Legs are not ordered in the summary and may be spelled "CallA" (8x8.md §2.2).
  A row of the Voice log export (`switchboard pull connect-voice`, leg_name 'export') is
  one more report of its leg: same SessionId and CallId, so calls and call_legs fold it in.
  Its *CountryCode columns are calling codes ("65"), not regions: the voice region applies.
#}
{{ config(materialized='incremental', unique_key=['dedupe_key', 'leg_name'], merge_window_column='landed_at', updated_at='landed_at', tags=['calls', 'staging']) }}

with events as (
  select dedupe_key, event_type, body, first_received_at, landed_at
  from {{ landed_events('voice_events') }}
  where event_type in ('SESSION_SUMMARY', 'CALL_STATUS', 'VOICE_LOG_EXPORT')
  {% if is_incremental() %}
    and landed_at > {{ watermark('landed_at') }}
    -- a staged event never changes: take only those not staged yet
    and dedupe_key not in (select dedupe_key from {{ this }} where landed_at > {{ watermark('landed_at') }})
  {% endif %}
),

summary_legs as (
  select
    e.dedupe_key, e.event_type, e.first_received_at, e.landed_at,
    {{ json_text('e.body', 'payload.sessionId') }} as session_id,
    {{ json_text('e.body', 'payload.sessionStatus') }} as session_status,
    {{ json_text('e.body', 'payload.startTime') }} as session_start_text,
    {{ json_text('e.body', 'payload.endTime') }} as session_end_text,
    leg.entry_key as leg_name,
    {{ json_text('leg.entry_value', 'callId') }} as leg_id,
    {{ json_text('leg.entry_value', 'callStatus') }} as leg_status,
    {{ json_text('leg.entry_value', 'callDirection') }} as direction_text,
    {{ json_text('leg.entry_value', 'callType') }} as call_type,
    {{ json_text('leg.entry_value', 'source') }} as source_raw,
    {{ json_text('leg.entry_value', 'destination') }} as destination_raw,
    {{ json_text('leg.entry_value', 'sourceCountryCode') }} as source_country,
    {{ json_text('leg.entry_value', 'destinationCountryCode') }} as destination_country,
    {{ json_text('leg.entry_value', 'initiatedTimestamp') }} as initiated_text,
    {{ json_text('leg.entry_value', 'connectedTimestamp') }} as connected_text,
    {{ json_text('leg.entry_value', 'disconnectedTimestamp') }} as disconnected_text,
    cast(null as {{ type('text') }}) as event_text,
    {{ json_text('leg.entry_value', 'callDuration') }} as duration_text,
    cast(null as {{ type('text') }}) as sip_code_text
  from events as e {{ json_entries('e.body', 'payload.details', 'leg') }}
  where e.event_type = 'SESSION_SUMMARY'
),

status_legs as (
  select
    dedupe_key, event_type, first_received_at, landed_at,
    {{ json_text('body', 'payload.sessionId') }} as session_id,
    cast(null as {{ type('text') }}) as session_status,
    cast(null as {{ type('text') }}) as session_start_text,
    cast(null as {{ type('text') }}) as session_end_text,
    'status' as leg_name,
    {{ json_text('body', 'payload.callId') }} as leg_id,
    {{ json_text('body', 'payload.callStatus') }} as leg_status,
    {{ json_text('body', 'payload.callDirection') }} as direction_text,
    {{ json_text('body', 'payload.callType') }} as call_type,
    {{ json_text('body', 'payload.source') }} as source_raw,
    {{ json_text('body', 'payload.destination') }} as destination_raw,
    {{ json_text('body', 'payload.sourceCountryCode') }} as source_country,
    {{ json_text('body', 'payload.destinationCountryCode') }} as destination_country,
    cast(null as {{ type('text') }}) as initiated_text,
    cast(null as {{ type('text') }}) as connected_text,
    cast(null as {{ type('text') }}) as disconnected_text,
    {{ json_text('body', 'payload.timestamp') }} as event_text,
    {{ json_text('body', 'payload.callDuration') }} as duration_text,
    {{ json_text('body', 'payload.sipCode') }} as sip_code_text
  from events
  where event_type = 'CALL_STATUS'
),

export_legs as (
  select
    dedupe_key, event_type, first_received_at, landed_at,
    {{ json_text('body', 'SessionId') }} as session_id,
    nullif({{ json_text('body', 'SessionStatus') }}, '') as session_status,
    cast(null as {{ type('text') }}) as session_start_text,
    cast(null as {{ type('text') }}) as session_end_text,
    'export' as leg_name,
    nullif({{ json_text('body', 'CallId') }}, '') as leg_id,
    nullif({{ json_text('body', 'CallStatus') }}, '') as leg_status,
    nullif({{ json_text('body', 'Direction') }}, '') as direction_text,
    nullif({{ json_text('body', 'CallType') }}, '') as call_type,
    nullif({{ json_text('body', 'SourceEndpoint') }}, '') as source_raw,
    nullif({{ json_text('body', 'DestinationEndpoint') }}, '') as destination_raw,
    cast(null as {{ type('text') }}) as source_country,
    cast(null as {{ type('text') }}) as destination_country,
    nullif({{ json_text('body', 'InitiatedAt') }}, '') as initiated_text,
    nullif({{ json_text('body', 'ConnectedAt') }}, '') as connected_text,
    nullif({{ json_text('body', 'DisconnectedAt') }}, '') as disconnected_text,
    nullif({{ json_text('body', 'DisconnectedAt') }}, '') as event_text,
    nullif({{ json_text('body', 'DurationInSec') }}, '') as duration_text,
    nullif({{ json_text('body', 'SipStatus') }}, '') as sip_code_text
  from events
  where event_type = 'VOICE_LOG_EXPORT'
),

legs as (
  select * from summary_legs
  union all
  select * from status_legs
  union all
  select * from export_legs
),

typed as (
  select
    dedupe_key, event_type, leg_name, session_id, leg_id, session_status, leg_status,
    lower(direction_text) as direction,
    call_type, source_raw, destination_raw,
    coalesce(nullif(upper(source_country), ''), '{{ var("region_voice", var("default_region", "")) }}') as source_region,
    coalesce(nullif(upper(destination_country), ''), '{{ var("region_voice", var("default_region", "")) }}') as destination_region,
    {{ to_utc('session_start_text') }} as session_started_at,
    {{ to_utc('session_end_text') }} as session_ended_at,
    {{ to_utc('initiated_text') }} as initiated_at,
    {{ to_utc('connected_text') }} as connected_at,
    {{ to_utc('disconnected_text') }} as disconnected_at,
    {{ to_utc('event_text') }} as event_at,
    {{ safe_cast('duration_text', 'bigint') }} as reported_duration_seconds,
    {{ safe_cast('sip_code_text', 'integer') }} as sip_code,
    first_received_at, landed_at
  from legs
)

-- A CALL_STATUS event is one moment of its leg: it dates the leg's start, answer or end.
select
  dedupe_key, event_type, leg_name, session_id, leg_id, session_status, leg_status, direction,
  call_type, source_raw, destination_raw, source_region, destination_region,
  session_started_at, session_ended_at,
  coalesce(initiated_at, case when leg_status in ('CALL_INITIATED', 'CALL_RECEIVED') then event_at end) as initiated_at,
  coalesce(connected_at, case when leg_status = 'CALL_CONNECTED' then event_at end) as connected_at,
  coalesce(disconnected_at, case when leg_status = 'CALL_DISCONNECTED' then event_at end) as disconnected_at,
  event_at, reported_duration_seconds, sip_code, first_received_at, landed_at
from typed
