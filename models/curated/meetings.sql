{#
  One row per JaaS meeting session (meeting_id is its sessionId). Events arrive in any
  order (PARTICIPANT_JOINED before ROOM_CREATED is normal), so every column is an
  aggregate. Recording links are valid for 24 hours after the upload event.
  Breakout rooms (docs/jaas/docs/webhooks-payload.md, ROOM_CREATED/ROOM_DESTROYED `isBreakout`,
  8x8Cloud/public-developer-docs) live inside their meeting: their events share its sessionId
  (as in the docs' examples), and a breakout room's ROOM_CREATED or ROOM_DESTROYED neither
  starts nor ends the meeting. Only the main room's does; until its ROOM_DESTROYED arrives,
  ended_at is NULL. The docs do not say whether a breakout room could get a sessionId of its
  own; such a session would have no main room, and so no ended_at.
#}
{{ config(materialized='incremental', unique_key='meeting_id', updated_at='last_updated_at', tags=['meetings', 'curated']) }}

with events as (
  select *
  from {{ ref('stg_meeting_events') }}
  {% if is_incremental() %}
  where meeting_id in (select meeting_id from {{ ref('stg_meeting_events') }} where landed_at > {{ watermark('last_updated_at') }})
  {% endif %}
),

recording as (
  {{ first_row_per(
      "select meeting_id, recording_url, event_at from events where event_type = 'RECORDING_UPLOADED'",
      'meeting_id',
      'event_at desc'
  ) }}
),

rollup as (
  select
    meeting_id,
    coalesce(max(case when not is_breakout then room_name end), max(room_name)) as room_name,
    coalesce(min(case when event_type = 'ROOM_CREATED' and not is_breakout then event_at end), min(event_at)) as started_at,
    max(case when event_type = 'ROOM_DESTROYED' and not is_breakout then event_at end) as ended_at,
    -- participantId is "used across the whole infrastructure" (webhooks-payload.md), so one who
    -- moves into a breakout room and back counts once
    count(distinct case when event_type in ('PARTICIPANT_JOINED', 'DIAL_IN_STARTED', 'DIAL_OUT_STARTED', 'SIP_CALL_IN_STARTED', 'SIP_CALL_OUT_STARTED') then participant_id end) as participant_count,
    count(distinct case when event_type in ('DIAL_IN_STARTED', 'SIP_CALL_IN_STARTED') then participant_id end) as dial_in_count,
    max(case when event_type = 'TRANSCRIPTION_UPLOADED' then 1 else 0 end) as transcript_flag,
    min(first_received_at) as first_seen_at,
    max(landed_at) as last_updated_at
  from events
  group by meeting_id
)

select
  r.meeting_id,
  r.room_name,
  r.started_at,
  r.ended_at,
  cast(round({{ seconds_between('r.started_at', 'r.ended_at') }}) as {{ type('bigint') }}) as duration_seconds,
  r.participant_count,
  r.dial_in_count,
  rec.meeting_id is not null as has_recording,
  rec.recording_url,
  {{ add_seconds('rec.event_at', 86400) }} as recording_expires_at,
  r.transcript_flag = 1 as has_transcript,
  r.first_seen_at,
  r.last_updated_at
from rollup as r
left join recording as rec on rec.meeting_id = r.meeting_id
