{#
  One row per Salesforce Account with calls: call outcomes rolled up through the people pull.

  A call belongs to the person its Task would name (salesforce_call_tasks.who_id: the
  customer's number matched in E.164 against salesforce_people, a Contact before a Lead), and
  to that person's account (salesforce_people.account_id, the Contact's AccountId). Leads have
  no account (only unconverted Leads are pulled), nor do private Contacts; their calls, and
  calls that match nobody, are not in this table. Like salesforce_call_tasks it needs
  models.pii.phone: keep, or no number matches. The columns suit a sync to Account fields
  (key account_id).
#}
{{ config(materialized='table', tags=['marts', 'salesforce']) }}

with person_accounts as (
  select id, max(account_id) as account_id
  from {{ ref('salesforce_people') }}
  where account_id is not null
  group by id
),

account_calls as (
  select
    a.account_id,
    t.who_id,
    c.call_id,
    c.direction,
    c.outcome,
    c.is_missed,
    c.started_at,
    c.talk_seconds
  from {{ ref('salesforce_call_tasks') }} as t
  join person_accounts as a on a.id = t.who_id
  join {{ ref('calls') }} as c on c.call_id = t.call_id
),

latest as (
  {{ first_row_per('select account_id, outcome, started_at, call_id from account_calls', 'account_id', 'started_at desc, call_id desc') }}
),

rollup as (
  select
    account_id,
    count(*) as calls,
    count(case when direction = 'inbound' then 1 end) as inbound_calls,
    count(case when direction = 'outbound' then 1 end) as outbound_calls,
    count(case when outcome = 'answered' then 1 end) as answered_calls,
    count(case when is_missed then 1 end) as missed_calls,
    cast(coalesce(sum(talk_seconds), 0) as {{ type('bigint') }}) as talk_seconds,
    count(distinct who_id) as people_called,
    min(started_at) as first_call_at,
    max(started_at) as last_call_at
  from account_calls
  group by account_id
)

select
  r.account_id,
  r.calls,
  r.inbound_calls,
  r.outbound_calls,
  r.answered_calls,
  r.missed_calls,
  r.talk_seconds,
  r.people_called,
  r.first_call_at,
  r.last_call_at,
  l.outcome as last_call_outcome
from rollup as r
join latest as l on l.account_id = r.account_id
