{#
  One row per call someone should look at now, for the Slack alert sync (key call_id, the
  message from `text`). A call is an escalation when it is inbound and
  - missed (calls.is_missed) from a priority caller: a number in the vip_callers seed or in
    models.vars.priority_callers (macros/priority_callers.sql). Both empty (the default): no
    caller is a priority. The numbers are compared with calls.from_e164, so a PII policy
    that hashes or masks from_e164 matches no one;
  - or a long wait: the caller waited more than models.vars.long_wait_seconds (default 120)
    for an answer, or, unanswered, before hanging up.
  status turns from 'open' to 'called back' once calls holds a later outbound call to the
  caller's number; the text changes with it, so the sync edits the message it posted.
  Times are shown in UTC.
#}
{{ config(materialized='view', tags=['sync', 'slack']) }}

{% set long_wait = var('long_wait_seconds', 120) | int(120) %}

with priority as (
  select distinct p.e164 from ({{ priority_callers() }}) as p where p.e164 is not null
),

inbound as (
  select
    c.call_id,
    c.from_e164,
    coalesce(c.from_e164, c.from_raw, 'an unknown number') as caller,
    c.started_at,
    c.answered_at,
    coalesce(c.is_missed and p.e164 is not null, false) as priority_missed,
    coalesce(c.ring_seconds, case when c.answered_at is null then c.duration_seconds end) as wait_seconds
  from {{ ref('calls') }} as c
  left join priority as p on p.e164 = c.from_e164
  where c.direction = 'inbound'
),

escalations as (
  select i.*
  from inbound as i
  where i.priority_missed or i.wait_seconds > {{ long_wait }}
),

callbacks as (
  select e.call_id, min(o.started_at) as called_back_at
  from escalations as e
  join {{ ref('calls') }} as o
    on o.direction = 'outbound' and o.to_e164 = e.from_e164 and o.started_at > e.started_at
  group by e.call_id
),

shaped as (
  select
    e.*,
    b.called_back_at,
    -- `YYYY-MM-DD HH:MI`: every warehouse writes a timestamp as text starting this way (in UTC here).
    substr(cast(e.started_at as {{ type('text') }}), 1, 16) as started_text,
    substr(cast(b.called_back_at as {{ type('text') }}), 1, 16) as called_back_text
  from escalations as e
  left join callbacks as b on b.call_id = e.call_id
)

select
  s.call_id,
  case when s.called_back_at is null then 'open' else 'called back' end as status,
  case
    when s.priority_missed then ':rotating_light: Missed call from ' || s.caller || ' at ' || s.started_text || ' UTC'
    when s.answered_at is null then ':hourglass_flowing_sand: ' || s.caller || ' waited ' || cast(s.wait_seconds as {{ type('text') }}) || ' s without an answer at ' || s.started_text || ' UTC'
    else ':hourglass_flowing_sand: ' || s.caller || ' waited ' || cast(s.wait_seconds as {{ type('text') }}) || ' s for an answer at ' || s.started_text || ' UTC'
  end
  || case
    when s.called_back_at is not null then ' — :white_check_mark: called back at ' || s.called_back_text || ' UTC'
    when s.answered_at is null then ' — not called back yet'
    else ''
  end as text,
  case when s.priority_missed then 'priority_missed' else 'long_wait' end as reason,
  s.caller,
  s.started_at,
  s.wait_seconds,
  s.called_back_at
from shaped as s
