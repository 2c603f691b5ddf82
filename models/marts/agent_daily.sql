{#
  One row per Contact Center agent and UTC day on which the agent handled calls.

  An agent handled a call when its participant row (stg_cc_participants, newest version per
  assignment) accepted the offer (participantOfferAction Accepted, as in calls): a call
  transferred from A to B counts for both, each with their own handling and wrap-up, on the day
  each accepted it (participantOfferActionTime). Calls pulled without participant rows count
  for calls.agent_id when answered, with calls.talk_seconds and no wrap-up, on the day they
  were answered.
  - calls_handled: distinct calls (an agent who accepts the same call twice counts it once);
  - talk_seconds: participantHandlingDuration, "between Offer Action Time and Handling End
    Time" (hold inside handling included, parked time not);
  - wrap_up_seconds: participantWrapUpDuration, the after-call work;
  - handle_seconds: talk + wrap-up; avg_handle_seconds = handle_seconds / calls_handled (AHT).
#}
{{ config(materialized='table', tags=['marts']) }}

with cc_calls as (
  select call_id, agent_id, outcome, started_at, answered_at, talk_seconds
  from {{ ref('calls') }}
  where source = 'contact_center'
),

participant_versions as (
  select call_id, assign_number, participant_id, participant_name, participant_type, offer_action, offer_action_at, handling_ms, wrap_up_ms, landed_at, dedupe_key
  from {{ ref('stg_cc_participants') }}
  where call_id in (select call_id from cc_calls)
),

participants as (
  {{ first_row_per('select * from participant_versions', 'call_id, assign_number', 'landed_at desc, dedupe_key desc') }}
),

accepted as (
  select
    p.participant_id as agent_id,
    p.participant_name as agent_name,
    p.call_id,
    {{ utc_date('coalesce(p.offer_action_at, c.answered_at, c.started_at)') }} as day,
    cast(p.handling_ms as {{ type('double') }}) / 1000 as talk_seconds,
    cast(p.wrap_up_ms as {{ type('double') }}) / 1000 as wrap_up_seconds
  from participants as p
  join cc_calls as c on c.call_id = p.call_id
  where p.offer_action = 'Accepted' and lower(coalesce(p.participant_type, 'agent')) = 'agent' and p.participant_id is not null
),

without_participants as (
  select
    c.agent_id,
    cast(null as {{ type('text') }}) as agent_name,
    c.call_id,
    {{ utc_date('coalesce(c.answered_at, c.started_at)') }} as day,
    cast(c.talk_seconds as {{ type('double') }}) as talk_seconds,
    cast(null as {{ type('double') }}) as wrap_up_seconds
  from cc_calls as c
  where c.agent_id is not null
    and c.outcome = 'answered'
    and c.call_id not in (select call_id from accepted)
),

handled as (
  select * from accepted
  union all
  select * from without_participants
)

select
  agent_id,
  day,
  max(agent_name) as agent_name,
  count(distinct call_id) as calls_handled,
  sum(talk_seconds) as talk_seconds,
  sum(wrap_up_seconds) as wrap_up_seconds,
  sum(coalesce(talk_seconds, 0) + coalesce(wrap_up_seconds, 0)) as handle_seconds,
  sum(coalesce(talk_seconds, 0) + coalesce(wrap_up_seconds, 0)) / count(distinct call_id) as avg_handle_seconds
from handled
group by agent_id, day
