{#
  One row per UTC day on which a JaaS meeting started: meeting volume for capacity planning.
  A meeting counts on the day it started (meetings.started_at), whole, even when it runs past
  midnight. Built on meetings' and meeting_participants' columns, whatever rows they hold:
  - meetings: meetings started that day;
  - participants: meetings.participant_count summed (a person in two meetings counts twice);
  - peak_participants: the most participants in one of the day's meetings;
  - dial_ins: meetings.dial_in_count summed (phone and SIP dial-in participants);
  - meetings_with_dial_in: meetings with at least one;
  - meeting_minutes: meetings.duration_seconds summed, / 60 (meetings still open add nothing);
  - participant_minutes: meeting_participants.duration_seconds summed over the day's meetings,
    / 60 (participants still in a meeting add nothing).
#}
{{ config(materialized='table', tags=['marts']) }}

with meeting_days as (
  select
    meeting_id,
    {{ utc_date('started_at') }} as day,
    duration_seconds,
    participant_count,
    dial_in_count
  from {{ ref('meetings') }}
  where started_at is not null
),

participant_time as (
  select meeting_id, sum(duration_seconds) as participant_seconds
  from {{ ref('meeting_participants') }}
  group by meeting_id
)

select
  m.day,
  count(*) as meetings,
  cast(coalesce(sum(m.participant_count), 0) as {{ type('bigint') }}) as participants,
  cast(coalesce(max(m.participant_count), 0) as {{ type('bigint') }}) as peak_participants,
  cast(coalesce(sum(m.dial_in_count), 0) as {{ type('bigint') }}) as dial_ins,
  count(case when m.dial_in_count > 0 then 1 end) as meetings_with_dial_in,
  coalesce(sum(cast(m.duration_seconds as {{ type('double') }})), 0) / 60 as meeting_minutes,
  coalesce(sum(cast(p.participant_seconds as {{ type('double') }})), 0) / 60 as participant_minutes
from meeting_days as m
left join participant_time as p on p.meeting_id = m.meeting_id
group by m.day
