{#
  One row per missed, voicemail or abandoned call from a caller on the priority list, shaped
  as a Zendesk ticket: the Zendesk sync upserts one ticket per call_id (its external_id).

  The list is the vip_callers seed (seeds/vip_callers.csv: one E.164 number per row, in
  column phone) plus models.vars.priority_callers, E.164 numbers:
    models: { vars: { priority_callers: ["+6591234567", "+12015550199"] } }
  Spaces, dots, dashes and brackets are ignored ("+65 9123-4567" works); see
  macros/priority_callers.sql. Both empty (the default): no rows.
  The phone PII policy must keep calls.from_e164 (models.pii.phone: keep), or no masked or
  hashed number can match.

  Times read in UTC: Switchboard's DuckDB and Postgres sessions run in UTC, BigQuery writes
  timestamps as text in UTC, and calls.started_at is converted to UTC on Snowflake.
#}
{{ config(materialized='view', tags=['sync', 'zendesk']) }}

with missed as (
  select
    c.call_id,
    c.outcome,
    c.from_e164,
    c.to_e164,
    c.started_at,
    -- A missed call was never answered: it rang for its whole duration.
    coalesce(c.ring_seconds, c.duration_seconds) as rang_seconds
  from {{ ref('calls') }} as c
  where (c.is_missed or c.outcome in ('missed', 'voicemail', 'abandoned'))
    and c.from_e164 in (select p.e164 from ({{ priority_callers() }}) as p where p.e164 is not null)
)

select
  m.call_id,
  case when m.outcome = 'voicemail' then 'Voicemail from ' else 'Missed call from ' end || m.from_e164 as subject,
  case when m.outcome = 'voicemail' then 'Voicemail' else 'Missed call' end
    || ' from ' || m.from_e164
    || coalesce(' to ' || m.to_e164, '')
    || ' at ' || coalesce(substr(cast(m.started_at as {{ type('text') }}), 1, 19) || ' UTC', 'an unknown time')
    || '. Rang for ' || coalesce({{ hhmmss('m.rang_seconds') }}, 'an unknown time')
    || '. Outcome: ' || m.outcome || '.' as comment_body,
  -- A voicemail is a customer waiting for a call back: the most urgent.
  case when m.outcome = 'voicemail' then 'urgent' else 'high' end as priority,
  m.from_e164 as requester_phone,
  'switchboard,priority_caller,call_' || m.outcome as tags
from missed as m
