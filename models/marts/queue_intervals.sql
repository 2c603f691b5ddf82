{#
  One row per Contact Center queue and UTC 15-minute interval that had a call offered: the
  rows of queue_calls added up, each call in the interval it entered the queue.

  There is no single industry formula (ICMI's "Service Level Calculations" lists five); this
  one is Cisco Unified ICM's "SL Aban Ignored" (Cisco Unified Intelligence Center report
  templates, "Service-Level Event" and "SL Aban Ignored": ServiceLevelCalls /
  (ServiceLevelCallsOffered - ServiceLevelAband)), which short abandons do not distort:
    service_level = answered_within_target / service_level_calls
  where answered_within_target counts calls answered within the queue's target
  (sla_status 'met') and service_level_calls counts those plus every call that waited past the
  target (answered late, abandoned late, or left the queue late: 'missed'). Calls abandoned
  within the target (short abandons) and calls that left the queue unanswered within it
  (flow-outs to voicemail, callback, another number) are in neither: Cisco's service-level
  events leave out calls "sent to non-monitored devices within the service-level threshold".
  Null when no call counts. meets_target: service_level >= target_service_level.
#}
{{ config(materialized='table', tags=['marts']) }}

with rollup as (
  select
    queue_name,
    interval_start,
    count(*) as offered,
    count(case when outcome = 'answered' then 1 end) as answered,
    count(case when outcome = 'abandoned' then 1 end) as abandoned,
    count(case when sla_status = 'short_abandon' then 1 end) as short_abandoned,
    count(case when sla_status = 'met' then 1 end) as answered_within_target,
    count(case when sla_status in ('met', 'missed') then 1 end) as service_level_calls,
    avg(wait_seconds) as avg_wait_seconds,
    max(wait_seconds) as max_wait_seconds,
    avg(case when outcome = 'answered' then wait_seconds end) as avg_answer_seconds,
    avg(handle_seconds) as avg_handle_seconds,
    max(target_answer_seconds) as target_answer_seconds,
    max(target_service_level) as target_service_level
  from {{ ref('queue_calls') }}
  group by queue_name, interval_start
)

select
  queue_name,
  interval_start,
  offered,
  answered,
  abandoned,
  short_abandoned,
  answered_within_target,
  service_level_calls,
  avg_wait_seconds,
  max_wait_seconds,
  avg_answer_seconds,
  avg_handle_seconds,
  target_answer_seconds,
  target_service_level,
  case when service_level_calls > 0 then cast(answered_within_target as {{ type('double') }}) / service_level_calls end as service_level,
  case when service_level_calls > 0 and target_service_level is not null
    then cast(answered_within_target as {{ type('double') }}) / service_level_calls >= target_service_level
  end as meets_target
from rollup
