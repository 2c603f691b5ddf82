{#
  Per source and UTC day: how many items webhooks brought (push_events), pulls brought
  (pull_events), both, and only a pull (missed_webhooks: their webhook never arrived).
  missed_share = missed_webhooks / pull_events, NULL until a pull has covered the day.
  `serve` alerts (SB_PULL_WEBHOOKS_MISSED) when a recent day's share passes
  pulls.reconciliation.missedShareAlert. Which ones: reconciliation_missed_webhooks.
#}
{{ config(materialized='incremental', unique_key=['source', 'day'], updated_at='last_updated_at', tags=['reconciliation']) }}

{% if is_incremental() %}
with touched as (
  select distinct source, day
  from {{ ref('reconciliation_items') }}
  where last_updated_at > {{ watermark('last_updated_at') }}
),
{% else %}
with
{% endif %}
counts as (
  select
    i.source,
    i.day,
    count(*) as items,
    count(case when i.seen_by_push then 1 end) as push_events,
    count(case when i.seen_by_pull then 1 end) as pull_events,
    count(case when i.seen_by_push and i.seen_by_pull then 1 end) as both_events,
    count(case when i.seen_by_push and not i.seen_by_pull then 1 end) as push_only_events,
    count(case when i.seen_by_pull and not i.seen_by_push then 1 end) as missed_webhooks,
    max(i.last_updated_at) as last_updated_at
  from {{ ref('reconciliation_items') }} as i
  {% if is_incremental() %}
  join touched as t on t.source = i.source and t.day = i.day
  {% endif %}
  group by i.source, i.day
)

select
  source,
  day,
  items,
  push_events,
  pull_events,
  both_events,
  push_only_events,
  missed_webhooks,
  case when pull_events > 0 then cast(missed_webhooks as {{ type('double') }}) / pull_events end as missed_share,
  last_updated_at
from counts
