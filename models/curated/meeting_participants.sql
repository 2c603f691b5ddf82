{#
  One row per participant of a JaaS meeting: people who joined in the browser or app, and
  phone and SIP participants. Dial-in participants get their number from the nick, e.g.
  "40364630871 (+40364630871)".
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
    max(case when event_type in ('PARTICIPANT_LEFT', 'DIAL_IN_ENDED', 'DIAL_OUT_ENDED', 'SIP_CALL_IN_ENDED', 'SIP_CALL_OUT_ENDED') then event_at end) as left_at,
    max(disconnect_reason) as disconnect_reason,
    min(first_received_at) as first_seen_at,
    max(landed_at) as last_updated_at
  from events
  group by meeting_id, participant_id
)

select
  r.meeting_id,
  r.participant_id,
  r.name,
  r.email,
  coalesce(r.moderator_flag = 1, false) as is_moderator,
  r.joined_at,
  r.left_at,
  cast(round({{ seconds_between('r.joined_at', 'r.left_at') }}) as {{ type('bigint') }}) as duration_seconds,
  {{ pii('p.e164', 'phone', 'phone_e164') }} as phone_e164,
  r.disconnect_reason,
  r.first_seen_at,
  r.last_updated_at
from rollup as r
left join {{ ref('phone_numbers') }} as p on p.raw = r.nick and p.region_hint = r.region_hint
