{#
  One row per Salesforce Account with calls: call outcomes rolled up through the people pull.

  A call belongs to the person its Task would name (salesforce_call_tasks.who_id: the
  customer's number matched in E.164 against salesforce_people, a Contact before a Lead, by
  the same macro, salesforce_person_per_phone()), and to that person's account
  (salesforce_people.account_id, the Contact's AccountId). Leads have no account (only
  unconverted Leads are pulled), nor do private Contacts; their calls, and calls that match
  nobody, are not in this table. It reads calls and salesforce_people, not the
  salesforce_call_tasks view, whose Task texts would be built for every call on every build. Like salesforce_call_tasks it needs
  models.pii.phone: keep, or no number matches. The columns suit a sync to Account fields
  (key account_id).
#}
{{ config(materialized='table', tags=['marts', 'salesforce']) }}

-- The person of each number, as salesforce_call_tasks.who_id has it, where that person has an account.
with account_numbers as (
  select phone_e164, id as who_id, account_id
  from ({{ salesforce_person_per_phone() }}) as person
  where account_id is not null
),

-- The customer's number as in salesforce_call_tasks: the caller of an inbound call, the callee of an outbound one.
account_calls as (
  select
    a.account_id,
    a.who_id,
    c.call_id,
    c.direction,
    c.outcome,
    c.is_missed,
    c.started_at,
    c.talk_seconds
  from {{ ref('calls') }} as c
  join account_numbers as a on a.phone_e164 = case c.direction when 'inbound' then c.from_e164 when 'outbound' then c.to_e164 end
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
