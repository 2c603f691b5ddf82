{#
  One row per version of a Contact Center interaction, as `switchboard pull cc-interactions`
  lands them in raw.contact_center_events (8x8.md §3.3): the report row's items flattened
  to {key: value}. Times carry the tenant's offset ("2023-07-03T16:02:27.576+03:00") and
  become UTC; durations come as {value: <ms>, ongoing} (or a bare number). Only voice
  media (Phone, VoiceMail) are calls. call_id is 'cc:<interactionId>'.
  Shapes, per docs/analytics/docs/cc-historical-analytics-detailed-report.md
  (8x8Cloud/public-developer-docs): interactionLabels is an array (["Queued", "Handled"]) and
  recordingFileNames a comma-separated string; both become comma lists here (an older
  string / array form reads the same). The interaction-level participantId/participantType
  are arrays in the documented samples, so agent_id is only read from their plain-string
  form; the agent of a documented row comes from stg_cc_participants (see calls).
  Numbers: origination ("the point where the interaction originated from") and destination
  ("the point where the interaction landed"); where the customer's side is missing, the
  customer's number from customerPhone ("phone number of the customer involved in the
  interaction"): the caller of an inbound call, the callee of an outbound one.
#}
{% macro comma_list(expr) -%}
  nullif(trim(replace(replace(replace(replace(replace({{ expr }}, '", "', ','), '","', ','), '["', ''), '"]', ''), '[]', '')), '')
{%- endmacro %}
{{ config(materialized='incremental', unique_key='dedupe_key', merge_window_column='landed_at', updated_at='landed_at', tags=['calls', 'staging', 'pulls']) }}

with events as (
  select dedupe_key, body, first_received_at, landed_at
  from {{ landed_events('contact_center_events') }}
  where event_type = 'CC_INTERACTION'
  {% if is_incremental() %}
    and landed_at > {{ watermark('landed_at') }}
  {% endif %}
),

fields as (
  select
    dedupe_key, first_received_at, landed_at,
    {{ json_text('body', 'interactionId') }} as interaction_id,
    {{ json_text('body', 'mediaType') }} as media_type,
    {{ json_text('body', 'direction') }} as direction_text,
    {{ json_text('body', 'origination') }} as origination,
    {{ json_text('body', 'destination') }} as destination,
    {{ json_text('body', 'customerPhone') }} as customer_phone,
    {{ json_text('body', 'creationTime') }} as created_text,
    coalesce({{ json_text('body', 'finishedTime.value') }}, {{ json_text('body', 'finishedTime') }}) as finished_text,
    coalesce({{ json_text('body', 'queueWaitDuration.value') }}, {{ json_text('body', 'queueWaitDuration') }}) as wait_ms_text,
    coalesce({{ json_text('body', 'interactionDuration.value') }}, {{ json_text('body', 'interactionDuration') }}) as duration_ms_text,
    {{ json_text('body', 'interactionDuration.ongoing') }} as ongoing_text,
    coalesce({{ json_text('body', 'ivrTreatmentDuration.value') }}, {{ json_text('body', 'ivrTreatmentDuration') }}) as ivr_ms_text,
    {{ json_text('body', 'queueTime') }} as queued_text,
    {{ json_text('body', 'interactionLabels') }} as labels_text,
    {{ json_text('body', 'recordingFileNames') }} as recordings_text,
    {{ json_text('body', 'queueName') }} as queue_name,
    {{ json_text('body', 'participantId') }} as participant_id,
    {{ json_text('body', 'participantType') }} as participant_type,
    {{ json_text('body', 'outcome') }} as outcome_text
  from events
)

select
  dedupe_key,
  'cc:' || interaction_id as call_id,
  interaction_id,
  media_type,
  case direction_text when 'InboundDir' then 'inbound' when 'OutboundDir' then 'outbound' end as direction,
  coalesce(nullif(trim(origination), ''), case when direction_text = 'InboundDir' then nullif(trim(customer_phone), '') end) as from_raw,
  coalesce(nullif(trim(destination), ''), case when direction_text = 'OutboundDir' then nullif(trim(customer_phone), '') end) as to_raw,
  nullif(trim(customer_phone), '') as customer_phone_raw,
  '{{ var("region_contact_center", var("default_region", "")) }}' as region_hint,
  {{ to_utc('created_text') }} as started_at,
  {{ to_utc('finished_text') }} as ended_at,
  {{ safe_cast('wait_ms_text', 'bigint') }} as wait_ms,
  {{ safe_cast('duration_ms_text', 'bigint') }} as duration_ms,
  {{ safe_cast('ivr_ms_text', 'bigint') }} as ivr_ms,
  {{ to_utc('queued_text') }} as queued_at,
  {{ comma_list('labels_text') }} as interaction_labels,
  {{ comma_list('recordings_text') }} as recording_file_names,
  coalesce(lower(ongoing_text) = 'true', false) as is_ongoing,
  nullif(trim(queue_name), '') as queue_name,
  case when lower(participant_type) = 'agent' then nullif(trim(participant_id), '') end as agent_id,
  lower(nullif(trim(outcome_text), '')) as outcome_raw,
  first_received_at,
  landed_at
from fields
where interaction_id is not null
  and media_type in ('Phone', 'VoiceMail')
