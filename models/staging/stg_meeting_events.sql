{#
  One row per JaaS event that says something about a meeting or a participant. JaaS
  promises no order (8x8.md §5.3): meetings.sql and meeting_participants.sql aggregate, so
  the arrival order never matters.
  Breakout rooms (docs/jaas/docs/webhooks-payload.md, 8x8Cloud/public-developer-docs):
  ROOM_CREATED, ROOM_DESTROYED, PARTICIPANT_JOINED and PARTICIPANT_LEFT carry `isBreakout`
  ("whether the event happened in a breakout room", a boolean; read like `moderator`, which
  8x8 also sends as "true"/"false") and `breakoutRoomId` ("in case the event happened in a
  breakout room"). is_breakout is false for every other event, and for these when neither
  field says otherwise; without isBreakout, a breakoutRoomId alone marks a breakout room.
  The docs' breakout examples carry the main room's sessionId and fqn, so a breakout room's
  events share its meeting's meeting_id and room_name [the docs do not say so in words].
#}
{{ config(materialized='incremental', unique_key='dedupe_key', merge_window_column='landed_at', updated_at='landed_at', tags=['meetings', 'staging']) }}

with events as (
  select
    dedupe_key, event_type, first_received_at, landed_at,
    {{ json_text('body', 'sessionId') }} as meeting_id,
    {{ json_text('body', 'fqn') }} as fqn,
    {{ json_text('body', 'timestamp') }} as event_text,
    coalesce({{ json_text('body', 'data.participantId') }}, {{ json_text('body', 'data.participantJid') }}, {{ json_text('body', 'data.id') }}) as participant_id,
    {{ json_text('body', 'data.name') }} as name,
    {{ json_text('body', 'data.email') }} as email,
    {{ json_text('body', 'data.moderator') }} as moderator_text,
    {{ json_text('body', 'data.nick') }} as nick,
    {{ json_text('body', 'data.disconnectReason') }} as disconnect_reason,
    {{ json_text('body', 'data.isBreakout') }} as breakout_text,
    nullif(trim({{ json_text('body', 'data.breakoutRoomId') }}), '') as breakout_room_id,
    {{ json_text('body', 'data.preAuthenticatedLink') }} as link
  from {{ landed_events('meetings_events') }}
  where event_type in (
    'ROOM_CREATED', 'ROOM_DESTROYED', 'PARTICIPANT_JOINED', 'PARTICIPANT_LEFT',
    'DIAL_IN_STARTED', 'DIAL_IN_ENDED', 'DIAL_OUT_STARTED', 'DIAL_OUT_ENDED',
    'SIP_CALL_IN_STARTED', 'SIP_CALL_IN_ENDED', 'SIP_CALL_OUT_STARTED', 'SIP_CALL_OUT_ENDED',
    'RECORDING_UPLOADED', 'TRANSCRIPTION_UPLOADED'
  )
  {% if is_incremental() %}
    and landed_at > {{ watermark('landed_at') }}
    -- a staged event never changes: take only those not staged yet
    and dedupe_key not in (select dedupe_key from {{ this }} where landed_at > {{ watermark('landed_at') }})
  {% endif %}
)

select
  dedupe_key, event_type, meeting_id,
  {{ split_part('fqn', '/', 2) }} as room_name,
  {{ to_utc('event_text') }} as event_at,
  participant_id, name, email,
  -- 8x8 sends moderator as a boolean or as the string "true"/"false".
  case when lower(moderator_text) = 'true' then 1 when lower(moderator_text) = 'false' then 0 end as moderator_flag,
  nick,
  '{{ var("region_meetings", var("default_region", "")) }}' as region_hint,
  disconnect_reason,
  case
    when lower(breakout_text) = 'true' then true
    when lower(breakout_text) = 'false' then false
    else breakout_room_id is not null
  end as is_breakout,
  breakout_room_id,
  case when event_type = 'RECORDING_UPLOADED' then link end as recording_url,
  case when event_type = 'TRANSCRIPTION_UPLOADED' then link end as transcript_url,
  first_received_at, landed_at
from events
where meeting_id is not null
