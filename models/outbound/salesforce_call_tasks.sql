{#
  One row per call, shaped as a Salesforce Task (an activity logged against the Contact or
  Lead whose number it was), for a sync such as:

    syncs:
      - name: calls_to_salesforce
        model: salesforce_call_tasks
        key: call_id                       # sent as the external ID (Switchboard_Call_Id__c)
        destination: salesforce
        object: Task
        mapping: { Subject: subject, CallType: call_type, CallDurationInSeconds: call_duration_seconds,
                   CallObject: call_object, ActivityDate: activity_date, Status: status,
                   Description: description, WhoId: who_id }

  who_id: the customer's number (the caller of an inbound call, the callee of an outbound
  one; internal calls have none) matched in E.164 against salesforce_people, which the
  Salesforce destination pulls before each sync. A Contact wins over a Lead, Phone over
  MobilePhone, then the smallest Id, so the choice never flips between runs
  (salesforce_person_per_phone(), models/macros/salesforce_people.sql). No match: null. The phone PII policy must keep calls.from_e164 / to_e164 (models.pii.phone: keep),
  or masked and hashed numbers match nobody.

  activity_date is the UTC date of the call (Switchboard's sessions run in UTC).

  The destination creates each Task with TaskSubtype = 'Call' (Salesforce allows it on create
  only). To relate a Task to an Account or an Opportunity, add a column of their Ids to a copy
  of this model and map it: `WhatId: what_id` (README › Syncs).
#}
{{ config(materialized='view', tags=['sync', 'salesforce']) }}

with call_rows as (
  select
    c.*,
    case c.direction when 'inbound' then c.from_e164 when 'outbound' then c.to_e164 end as customer_e164,
    case c.direction
      when 'inbound' then coalesce(c.from_e164, c.from_raw, c.from_extension)
      when 'outbound' then coalesce(c.to_e164, c.to_raw, c.to_extension)
    end as customer_number
  from {{ ref('calls') }} as c
),

people as (
  {{ salesforce_person_per_phone() }}
)

select
  c.call_id,
  substr(
    case
      when c.direction = 'internal' then 'Internal call'
      when c.direction = 'outbound' and c.outcome = 'answered' then 'Outbound call to '
      when c.direction = 'outbound' then 'Unanswered call to '
      when c.outcome = 'voicemail' then 'Voicemail from '
      when c.is_missed then 'Missed call from '
      else 'Inbound call from '
    end
    || case when c.direction = 'internal' then '' else coalesce(c.customer_number, 'an unknown number') end,
    1, 255
  ) as subject,
  case c.direction when 'outbound' then 'Outbound' when 'internal' then 'Internal' else 'Inbound' end as call_type,
  c.duration_seconds as call_duration_seconds,
  c.call_id as call_object,
  cast(cast(c.started_at as date) as {{ type('text') }}) as activity_date,
  'Completed' as status,
  'Outcome: ' || c.outcome
    || '; from ' || coalesce(c.from_e164, c.from_raw, c.from_extension, 'unknown')
    || '; to ' || coalesce(c.to_e164, c.to_raw, c.to_extension, 'unknown')
    || '; started ' || coalesce(cast(c.started_at as {{ type('text') }}), 'unknown')
    || coalesce('; answered ' || cast(c.answered_at as {{ type('text') }}), '')
    || coalesce('; ended ' || cast(c.ended_at as {{ type('text') }}), '')
    || coalesce('; talk time ' || {{ hhmmss('c.talk_seconds') }}, '')
    || '; 8x8 call id ' || c.call_id as description,
  p.id as who_id,
  c.customer_e164
from call_rows as c
left join people as p on p.phone_e164 = c.customer_e164
