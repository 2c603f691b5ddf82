{#
  One row per version of a Contact Center participant row. A detailed report created with
  includeParticipants: true answers, in each interaction row, a `participants` item: one flat
  object per agent assignment, so a transfer between two agents has two
  (docs/analytics/docs/cc-historical-analytics-detailed-report.md, "includeParticipants", in
  8x8Cloud/public-developer-docs). `switchboard pull cc-interactions` lands each as a
  CC_PARTICIPANT event keyed pull:cc:<interactionId>:p<participantAssignNumber>
  (ingest/pulls/contact-center/records.ts). Meanings, from the page's metrics glossary:
  - assign_number: participantAssignNumber, "an ordinal number for each agent assignment";
  - assign_reason: participantAssignReason (Initiated, Offered, Parked, Unparked,
    ConferenceJoined, TransferReceived);
  - offer_action: participantOfferAction (Accepted, Rejected, OfferTimeout, Abandoned,
    CustomerHangUp); offer_action_at: participantOfferActionTime, when the participant took it;
  - handling_ms: participantHandlingDuration, "between Offer Action Time and Handling End
    Time"; parked time is not in it; wrap_up_ms: participantWrapUpDuration, after handling.
#}
{{ config(materialized='incremental', unique_key='dedupe_key', merge_window_column='landed_at', updated_at='landed_at', tags=['calls', 'staging', 'pulls']) }}

with events as (
  select dedupe_key, body, first_received_at, landed_at
  from {{ landed_events('contact_center_events') }}
  where event_type = 'CC_PARTICIPANT'
  {% if is_incremental() %}
    and landed_at > {{ watermark('landed_at') }}
  {% endif %}
),

fields as (
  select
    dedupe_key, first_received_at, landed_at,
    {{ json_text('body', 'interactionId') }} as interaction_id,
    {{ json_text('body', 'participantAssignNumber') }} as assign_text,
    {{ json_text('body', 'participantAssignReason') }} as assign_reason,
    {{ json_text('body', 'participantType') }} as participant_type,
    {{ json_text('body', 'participantId') }} as participant_id,
    {{ json_text('body', 'participantName') }} as participant_name,
    {{ json_text('body', 'participantOfferAction') }} as offer_action,
    {{ json_text('body', 'participantOfferTime') }} as offered_text,
    {{ json_text('body', 'participantOfferActionTime') }} as offer_action_text,
    {{ json_text('body', 'participantHandlingEndTime') }} as handling_end_text,
    coalesce({{ json_text('body', 'participantHandlingDuration.value') }}, {{ json_text('body', 'participantHandlingDuration') }}) as handling_ms_text,
    coalesce({{ json_text('body', 'participantWrapUpDuration.value') }}, {{ json_text('body', 'participantWrapUpDuration') }}) as wrap_up_ms_text,
    {{ json_text('body', 'participantHandlingOutcome') }} as handling_outcome
  from events
)

select
  dedupe_key,
  'cc:' || interaction_id as call_id,
  interaction_id,
  {{ safe_cast('assign_text', 'bigint') }} as assign_number,
  nullif(trim(assign_reason), '') as assign_reason,
  nullif(trim(participant_type), '') as participant_type,
  nullif(trim(participant_id), '') as participant_id,
  nullif(trim(participant_name), '') as participant_name,
  nullif(trim(offer_action), '') as offer_action,
  {{ to_utc('offered_text') }} as offered_at,
  {{ to_utc('offer_action_text') }} as offer_action_at,
  {{ to_utc('handling_end_text') }} as handling_ended_at,
  {{ safe_cast('handling_ms_text', 'bigint') }} as handling_ms,
  {{ safe_cast('wrap_up_ms_text', 'bigint') }} as wrap_up_ms,
  nullif(trim(handling_outcome), '') as handling_outcome,
  first_received_at,
  landed_at
from fields
where interaction_id is not null
