{#
  One row per finished Contact Center voice call that entered a queue (calls.source
  'contact_center' with a queue_name; a call still in progress appears once it has ended),
  with what queue analytics slice by. queue_intervals adds these rows up per 15 minutes.

  Definitions (8x8's glossary in docs/analytics/docs/cc-historical-analytics-detailed-report.md,
  8x8Cloud/public-developer-docs; docs/conformance.md › Times and durations):
  - offered_at: when the call entered the queue, queueTime; without it creationTime +
    ivrTreatmentDuration (the IVR comes before the queue), else creationTime.
  - interval_start: the UTC 15-minute interval of offered_at. Every figure of a call counts in
    the interval it was offered in, so an interval's row stops changing once its calls end.
  - wait_seconds: queueWaitDuration, "time spent waiting in queue between queued and first
    accepted events" (for a call nobody accepted, until it left the queue); without it, queueTime
    to answered_at (answered) or to ended_at. Not calls.ring_seconds, which adds the IVR and the
    offer.
  - talk_seconds: calls.talk_seconds (the accepting agents' participantHandlingDuration).
  - wrap_up_seconds: the accepting agents' participantWrapUpDuration (after-call work), summed;
    null without participant rows.
  - handle_seconds (answered calls): talk + wrap-up, handle time as the industry counts it
    (talk + hold + after-call work, e.g. Genesys Cloud's glossary, "average handle time"; hold
    inside handling is already in participantHandlingDuration).
  - target_answer_seconds, target_service_level: the queue's row of the seed
    queue_sla_targets, else its '*' row; null when neither exists.
  - wait_band, duration_bucket (of duration_seconds), sla_status: models/macros/calculated_fields.sql.
#}
{{ config(materialized='table', tags=['marts']) }}

with queued as (
  select call_id, queue_name, agent_id, outcome, started_at, answered_at, ended_at, talk_seconds, duration_seconds
  from {{ ref('calls') }}
  where source = 'contact_center' and queue_name is not null and outcome <> 'in_progress'
),

-- The newest version of each interaction, by the same rule as calls.
interaction_versions as (
  select call_id, queued_at, wait_ms, ivr_ms, landed_at, dedupe_key
  from {{ ref('stg_cc_interactions') }}
  where call_id in (select call_id from queued)
),

interactions as (
  {{ first_row_per('select * from interaction_versions', 'call_id', 'landed_at desc, dedupe_key desc') }}
),

participant_versions as (
  select call_id, assign_number, participant_type, offer_action, wrap_up_ms, landed_at, dedupe_key
  from {{ ref('stg_cc_participants') }}
  where call_id in (select call_id from queued)
),

participants as (
  {{ first_row_per('select * from participant_versions', 'call_id, assign_number', 'landed_at desc, dedupe_key desc') }}
),

-- Accepting agents only, as in calls (participantOfferAction Accepted).
wrap_ups as (
  select call_id, sum(wrap_up_ms) as wrap_up_ms
  from participants
  where offer_action = 'Accepted' and lower(coalesce(participant_type, 'agent')) = 'agent'
  group by call_id
),

-- Cast, so that a project's own seed works without column_types in its YAML (then text).
targets as (
  select
    queue_name,
    cast(target_answer_seconds as {{ type('integer') }}) as target_answer_seconds,
    cast(target_service_level as {{ type('double') }}) as target_service_level
  from {{ ref('queue_sla_targets') }}
),

timed as (
  select
    q.*,
    coalesce(i.queued_at, {{ add_milliseconds('q.started_at', 'i.ivr_ms') }}, q.started_at) as offered_at,
    coalesce(
      cast(i.wait_ms as {{ type('double') }}) / 1000,
      cast({{ seconds_between('i.queued_at', "case when q.outcome = 'answered' then q.answered_at else q.ended_at end") }} as {{ type('double') }})
    ) as wait_seconds,
    cast(w.wrap_up_ms as {{ type('double') }}) / 1000 as wrap_up_seconds,
    coalesce(t.target_answer_seconds, d.target_answer_seconds) as target_answer_seconds,
    coalesce(t.target_service_level, d.target_service_level) as target_service_level
  from queued as q
  left join interactions as i on i.call_id = q.call_id
  left join wrap_ups as w on w.call_id = q.call_id
  left join targets as t on t.queue_name = q.queue_name
  left join targets as d on d.queue_name = '*'
)

select
  call_id,
  queue_name,
  offered_at,
  {{ utc_interval_start('offered_at', 15) }} as interval_start,
  outcome,
  agent_id,
  wait_seconds,
  {{ wait_band('wait_seconds') }} as wait_band,
  talk_seconds,
  wrap_up_seconds,
  case when outcome = 'answered' then cast(talk_seconds as {{ type('double') }}) + coalesce(wrap_up_seconds, 0) end as handle_seconds,
  duration_seconds,
  {{ duration_bucket('duration_seconds') }} as duration_bucket,
  target_answer_seconds,
  target_service_level,
  {{ sla_status('outcome', 'wait_seconds', 'target_answer_seconds') }} as sla_status
from timed
