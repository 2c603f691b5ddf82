{#
  One row per call, whichever of its events arrived, in whatever order, by webhook or pull.
  - source 'connect_voice': a Connect voice session; call_id is its sessionId. Webhook
    legs and Voice log-export rows of the same session fold into one row (stg_voice_legs).
    Numbers come from the call's first leg: who called whom.
  - source 'work': an 8x8 Work call record (pulled); call_id is 'work:<callId>'. The
    newest version of the record wins.
  - source 'contact_center': a Contact Center voice interaction (pulled); call_id is
    'cc:<interactionId>', with its queue and agent. Outcomes, times and the agent follow
    docs/analytics/docs/cc-historical-analytics-detailed-report.md (8x8Cloud/public-developer-docs);
    the rules are written next to each column in models/schema.yml and in docs/conformance.md.
  ended_in says where a Contact Center call ended (agent, queue, ivr, voicemail, callback,
  external, unknown); it is null for the other sources.
#}
{{ config(materialized='incremental', unique_key='call_id', updated_at='last_updated_at', tags=['calls', 'curated']) }}

with legs as (
  select *
  from {{ ref('stg_voice_legs') }}
  where session_id is not null
  {% if is_incremental() %}
    and {{ changed_since_last_build('session_id', ref('stg_voice_legs')) }}
  {% endif %}
),

first_leg as (
  {{ first_row_per(
      "select session_id, leg_name, initiated_at, direction, source_raw, destination_raw, source_region, destination_region from legs where direction is not null",
      'session_id',
      "case when leg_name in ('status', 'export') then 1 else 0 end, initiated_at, leg_name"
  ) }}
),

rollup as (
  select
    session_id as call_id,
    max(session_status) as session_status,
    coalesce(min(session_started_at), min(initiated_at), min(event_at)) as started_at,
    min(connected_at) as answered_at,
    coalesce(max(session_ended_at), max(disconnected_at)) as ended_at,
    count(distinct coalesce(leg_id, leg_name)) as leg_count,
    min(first_received_at) as first_seen_at,
    max(landed_at) as last_updated_at
  from legs
  group by session_id
),

shaped as (
  select
    r.*,
    case
      when r.session_status = 'COMPLETED' and r.answered_at is not null then 'answered'
      when r.session_status = 'COMPLETED' then 'missed'
      when r.session_status = 'NO_ANSWER' then 'missed'
      when r.session_status = 'BUSY' then 'busy'
      when r.session_status = 'CANCELED' then 'abandoned'
      when r.session_status in ('FAILED', 'ERROR') then 'failed'
      when r.session_status is not null then lower(r.session_status)
      when r.ended_at is null then 'in_progress'
      when r.answered_at is not null then 'answered'
      else 'missed'
    end as outcome,
    {{ whole_seconds_between('r.started_at', 'r.answered_at') }} as ring_seconds,
    {{ whole_seconds_between('r.answered_at', 'r.ended_at') }} as talk_seconds,
    {{ whole_seconds_between('r.started_at', 'r.ended_at') }} as duration_seconds
  from rollup as r
)
,

connect_calls as (
select
  s.call_id,
  'connect_voice' as source,
  coalesce(l.direction, 'inbound') as direction,
  {{ phone_pair_columns('l.source_raw', 'l.destination_raw') }},
  s.started_at,
  s.answered_at,
  s.ended_at,
  s.ring_seconds,
  s.talk_seconds,
  s.duration_seconds,
  {{ hhmmss('s.duration_seconds') }} as duration_hhmmss,
  s.outcome,
  cast(null as {{ type('text') }}) as ended_in,
  s.outcome in ('missed', 'abandoned', 'voicemail') as is_missed,
  s.leg_count,
  cast(null as {{ type('text') }}) as queue_name,
  cast(null as {{ type('text') }}) as agent_id,
  s.first_seen_at,
  s.last_updated_at
from shaped as s
left join first_leg as l on l.session_id = s.call_id
{{ phone_pair_joins('l.source_raw', 'l.source_region', 'l.destination_raw', 'l.destination_region') }}
),

-- Work call records: every version (work_versions), the newest (work_latest), when first seen (work_seen).
{{ latest_version_ctes('work', ref('stg_work_calls'), 'call_id') }},

work_shaped as (
  select
    w.*,
    case
      when w.is_abandoned_flag then 'abandoned'
      when w.last_leg_disposition = 'voicemail' then 'voicemail'
      when w.is_missed_flag then 'missed'
      when w.answered_at is not null or w.is_answered_flag then 'answered'
      when w.ended_at is null then 'in_progress'
      else 'missed'
    end as outcome,
    -- inbound: the number dialled (dnis); outbound and internal: whom the caller rang
    coalesce(case when w.direction = 'inbound' then w.dnis_raw end, w.callee_raw) as to_number_raw,
    {{ whole_seconds_between('w.started_at', 'w.answered_at') }} as ring_seconds,
    {{ whole_seconds_of_ms('w.talk_ms') }} as talk_seconds,
    {{ whole_seconds_of_ms_or_between('w.call_ms', 'w.started_at', 'w.ended_at') }} as duration_seconds
  from work_latest as w
),

work_calls as (
select
  w.call_id,
  'work' as source,
  coalesce(w.direction, 'inbound') as direction,
  {{ phone_pair_columns('w.caller_raw', 'w.to_number_raw', to_extension='coalesce(c.extension, t.extension)') }},
  w.started_at,
  w.answered_at,
  w.ended_at,
  w.ring_seconds,
  w.talk_seconds,
  w.duration_seconds,
  {{ hhmmss('w.duration_seconds') }} as duration_hhmmss,
  w.outcome,
  cast(null as {{ type('text') }}) as ended_in,
  w.outcome in ('missed', 'abandoned', 'voicemail') as is_missed,
  w.leg_count,
  case when w.via_queue then w.callee_name end as queue_name,
  cast(null as {{ type('text') }}) as agent_id,
  seen.first_seen_at,
  seen.last_updated_at
from work_shaped as w
join work_seen as seen on seen.call_id = w.call_id
{{ phone_pair_joins('w.caller_raw', 'w.region_hint', 'w.to_number_raw', 'w.region_hint') }}
{{ phone_number_join('c', 'w.callee_raw', 'w.region_hint') }}
),

-- Contact Center interactions: every version (cc_versions), the newest (cc_latest), when first seen (cc_seen).
{{ latest_version_ctes('cc', ref('stg_cc_interactions'), 'call_id') }},

-- Participant rows (stg_cc_participants), newest version of each assignment. An agent
-- "answered" when its participantOfferAction is Accepted (glossary: "Agent accepted the offer").
cc_participant_versions as (
  select *
  from {{ ref('stg_cc_participants') }}
  where call_id in (select call_id from cc_latest)
),

cc_participants as (
  {{ first_row_per('select * from cc_participant_versions', 'call_id, assign_number', 'landed_at desc, dedupe_key desc') }}
),

cc_accepted as (
  select *
  from cc_participants
  where offer_action = 'Accepted' and lower(coalesce(participant_type, 'agent')) = 'agent'
),

-- The call's agent: the accepting agent with the highest participantAssignNumber, i.e. the
-- one who had the call last (after a transfer, the agent who received it).
cc_last_agent as (
  {{ first_row_per('select call_id, participant_id, assign_number from cc_accepted', 'call_id', 'assign_number desc') }}
),

cc_handling as (
  select call_id, min(offer_action_at) as first_accepted_at, sum(handling_ms) as handling_ms
  from cc_accepted
  group by call_id
),

cc_shaped as (
  select
    c.*,
    h.first_accepted_at,
    h.handling_ms,
    coalesce(a.participant_id, c.agent_id) as call_agent_id,
    lower(c.outcome_raw) in (
      'handled', 'consultationestablished', 'conferenceestablished', 'blindtransfer', 'transferredtoqueue',
      'repliedtoemail', 'outboundsmssent', 'videosmssent', 'postcallsurveystayoncall', 'postcallsurveycallback'
    ) as outcome_says_handled
  from cc_latest as c
  left join cc_handling as h on h.call_id = c.call_id
  left join cc_last_agent as a on a.call_id = c.call_id
),

-- Documented `outcome` values (glossary: "the final outcome label"; the same enumeration as
-- interactionLabels) → outcome and ended_in. Order matters: an ongoing interaction first,
-- then voicemail, then any acceptance by an agent.
cc_classified as (
  select
    c.*,
    case
      when c.is_ongoing then 'in_progress'
      when c.media_type = 'VoiceMail' or c.outcome_raw in ('forwardedtovoicemail', 'forwardedtoagentindividualvoicemail') then 'voicemail'
      when c.first_accepted_at is not null or c.outcome_says_handled then 'answered'
      when c.outcome_raw = 'endedinivr' then 'ivr'
      when c.outcome_raw in ('forwardedtoexternalnumber', 'forwardedtoexternalivr', 'transfertoanothernumber') then 'forwarded'
      when c.outcome_raw = 'forwardedtocallback' then 'callback'
      when c.outcome_raw = 'abandoned' then 'abandoned'
      else 'missed'
    end as outcome,
    case
      when c.is_ongoing then null
      when c.media_type = 'VoiceMail' or c.outcome_raw in ('forwardedtovoicemail', 'forwardedtoagentindividualvoicemail') then 'voicemail'
      when c.first_accepted_at is not null or c.outcome_says_handled then 'agent'
      when c.outcome_raw = 'endedinivr' then 'ivr'
      when c.outcome_raw in ('forwardedtoexternalnumber', 'forwardedtoexternalivr', 'transfertoanothernumber') then 'external'
      when c.outcome_raw in ('forwardedtocallback', 'canceled') then 'callback'
      when c.outcome_raw in (
        'abandoned', 'queued', 'dequeued', 'forwardedtoqueue', 'transferredtoagent', 'rejected', 'offeringtimeout',
        'directagentaccess', 'directagentrouting'
      ) then 'queue'
      else 'unknown'
    end as ended_in
  from cc_shaped as c
),

-- Times and durations from the glossary's definitions:
-- answered_at: the first acceptance (participantOfferActionTime); without participant rows,
--   queueTime + queueWaitDuration ("between queued and first accepted events"), else
--   creationTime + ivrTreatmentDuration + queueWaitDuration;
-- talk: the accepting agents' participantHandlingDuration; without participant rows,
--   interactionDuration - ivrTreatmentDuration - queueWaitDuration (interactionDuration is
--   "script, queue, and handling", without wrap-up);
-- ended_at: creationTime + interactionDuration, the end of handling before any wrap-up;
--   finishedTime only when interactionDuration is missing.
cc_timed as (
  select
    c.*,
    case when c.outcome = 'answered' then coalesce(
      c.first_accepted_at,
      {{ add_milliseconds('c.queued_at', 'c.wait_ms') }},
      {{ add_milliseconds('c.started_at', 'coalesce(c.ivr_ms, 0) + coalesce(c.wait_ms, 0)') }}
    ) end as answered_at,
    case when c.outcome = 'answered' then coalesce(c.handling_ms, c.duration_ms - coalesce(c.ivr_ms, 0) - coalesce(c.wait_ms, 0)) end as talk_ms,
    case when c.is_ongoing then null else coalesce({{ add_milliseconds('c.started_at', 'c.duration_ms') }}, c.ended_at) end as call_ended_at,
    {{ whole_seconds_of_ms_or_between('c.duration_ms', 'c.started_at', 'c.ended_at') }} as total_seconds
  from cc_classified as c
),

cc_calls as (
select
  c.call_id,
  'contact_center' as source,
  coalesce(c.direction, 'inbound') as direction,
  {{ phone_pair_columns('c.from_raw', 'c.to_raw') }},
  c.started_at,
  c.answered_at,
  c.call_ended_at as ended_at,
  -- before an agent: started → answered; unanswered: the IVR and queue time the caller spent
  case
    when c.answered_at is not null then {{ whole_seconds_between('c.started_at', 'c.answered_at') }}
    when c.ivr_ms is not null or c.wait_ms is not null then {{ whole_seconds_of_ms('(coalesce(c.ivr_ms, 0) + coalesce(c.wait_ms, 0))') }}
  end as ring_seconds,
  {{ whole_seconds_of_ms('c.talk_ms') }} as talk_seconds,
  c.total_seconds as duration_seconds,
  {{ hhmmss('c.total_seconds') }} as duration_hhmmss,
  c.outcome,
  c.ended_in,
  c.outcome in ('missed', 'abandoned', 'voicemail') as is_missed,
  cast(null as {{ type('bigint') }}) as leg_count,
  c.queue_name,
  c.call_agent_id as agent_id,
  seen.first_seen_at,
  seen.last_updated_at
from cc_timed as c
join cc_seen as seen on seen.call_id = c.call_id
{{ phone_pair_joins('c.from_raw', 'c.region_hint', 'c.to_raw', 'c.region_hint') }}
)

select * from connect_calls
union all
select * from work_calls
union all
select * from cc_calls
