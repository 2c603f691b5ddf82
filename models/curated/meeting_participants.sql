{#
  One row per participant of a JaaS meeting: people who joined in the browser or app, and
  phone and SIP participants. Dial-in participants get their number from the nick, e.g.
  "40364630871 (+40364630871)".
  Leaving, as docs/jaas/docs/webhooks-payload.md (8x8Cloud/public-developer-docs) defines
  PARTICIPANT_LEFT `disconnectReason` (left, kicked, unknown, switch_room,
  unrecoverable_error): "switch_room is used when a participant joins a breakout room from the
  main room or vice versa", so it is a move between rooms of the same meeting, not a leave.
  left_at is the participant's latest leave of any other kind (or the end of their dial-in or
  SIP call) and disconnect_reason is that leave's reason (NULL for a dial or SIP end, which has
  none); while a participant has only moved between rooms, both are NULL. Latest means by
  8x8's event timestamp ("consider this notation as the source of truth"), never by arrival;
  two leaves at the same millisecond are ordered by their dedupe key. Left open by the docs:
  whether a participant who left and joined again is still in the meeting (left_at stays their
  latest leave), and whether participantId stays the same across rooms (it is described as
  "used across the whole infrastructure"; events without one fall back to the room's JID).
#}
{{ config(materialized='incremental', unique_key=['meeting_id', 'participant_id'], updated_at='last_updated_at', tags=['meetings', 'curated']) }}

with events as (
  select *
  from {{ ref('stg_meeting_events') }}
  where participant_id is not null
    and event_type in (
      'PARTICIPANT_JOINED', 'PARTICIPANT_LEFT', 'DIAL_IN_STARTED', 'DIAL_IN_ENDED', 'DIAL_OUT_STARTED', 'DIAL_OUT_ENDED',
      'SIP_CALL_IN_STARTED', 'SIP_CALL_IN_ENDED', 'SIP_CALL_OUT_STARTED', 'SIP_CALL_OUT_ENDED'
    )
  {% if is_incremental() %}
    and meeting_id in (select meeting_id from {{ ref('stg_meeting_events') }} where landed_at > {{ watermark('last_updated_at') }})
  {% endif %}
),

rollup as (
  select
    meeting_id,
    participant_id,
    max(name) as name,
    max(email) as email,
    max(moderator_flag) as moderator_flag,
    max(nick) as nick,
    max(region_hint) as region_hint,
    min(case when event_type in ('PARTICIPANT_JOINED', 'DIAL_IN_STARTED', 'DIAL_OUT_STARTED', 'SIP_CALL_IN_STARTED', 'SIP_CALL_OUT_STARTED') then event_at end) as joined_at,
    min(first_received_at) as first_seen_at,
    max(landed_at) as last_updated_at
  from events
  group by meeting_id, participant_id
),

latest_leave as (
  {{ first_row_per(
      "select meeting_id, participant_id, event_at, disconnect_reason, dedupe_key from events
       where event_type in ('DIAL_IN_ENDED', 'DIAL_OUT_ENDED', 'SIP_CALL_IN_ENDED', 'SIP_CALL_OUT_ENDED')
          or (event_type = 'PARTICIPANT_LEFT' and coalesce(disconnect_reason, '') <> 'switch_room')",
      'meeting_id, participant_id',
      'event_at desc, dedupe_key desc'
  ) }}
)

select
  r.meeting_id,
  r.participant_id,
  r.name,
  r.email,
  coalesce(r.moderator_flag = 1, false) as is_moderator,
  r.joined_at,
  l.event_at as left_at,
  cast(round({{ seconds_between('r.joined_at', 'l.event_at') }}) as {{ type('bigint') }}) as duration_seconds,
  {{ pii('p.e164', 'phone', 'phone_e164') }} as phone_e164,
  l.disconnect_reason,
  r.first_seen_at,
  r.last_updated_at
from rollup as r
left join latest_leave as l on l.meeting_id = r.meeting_id and l.participant_id = r.participant_id
left join {{ ref('phone_numbers') }} as p on p.raw = r.nick and p.region_hint = r.region_hint
