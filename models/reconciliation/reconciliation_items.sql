{#
  Every Connect message and voice session, and whether a webhook brought it, a pull
  brought it, or both (one row per source and item). Pulls read 8x8's own record of what
  happened, so an item only a pull saw is a webhook that never arrived (or was refused:
  see the landing rejections). The day is the pulled record's, in UTC.
  Work and Contact Center calls are pull-only (Switchboard has no webhook for them), so
  they are not reconciled here.

  Every column is an OR or a MIN over the item's events, so an incremental run reads only
  the events staged since the last one and folds them into the rows it has: re-reading an
  event (the lookback) changes nothing.
#}
{{ config(materialized='incremental', unique_key=['source', 'item_id'], updated_at='last_updated_at', tags=['reconciliation']) }}

with observations as (
  select
    case when event_type like 'SMS%' then 'connect_sms' else 'connect_chatapps' end as source,
    message_id as item_id,
    event_type in ('SMS_LOG_EXPORT', 'CHATAPPS_LOG_EXPORT') as by_pull,
    coalesce(message_at, status_at, first_received_at) as occurred_at,
    first_received_at,
    landed_at
  from {{ ref('stg_message_events') }}
  where channel <> 'cc_chat'
  {% if is_incremental() %}
    and landed_at > {{ watermark('last_updated_at') }}
  {% endif %}

  union all

  select
    'connect_voice' as source,
    session_id as item_id,
    event_type = 'VOICE_LOG_EXPORT' as by_pull,
    coalesce(initiated_at, session_started_at, event_at, first_received_at) as occurred_at,
    first_received_at,
    landed_at
  from {{ ref('stg_voice_legs') }}
  where session_id is not null
  {% if is_incremental() %}
    and landed_at > {{ watermark('last_updated_at') }}
  {% endif %}
),

new_items as (
  select
    source,
    item_id,
    count(case when not by_pull then 1 end) > 0 as seen_by_push,
    count(case when by_pull then 1 end) > 0 as seen_by_pull,
    min(case when by_pull then occurred_at end) as pulled_occurred_at,
    min(occurred_at) as any_occurred_at,
    min(case when not by_pull then first_received_at end) as first_pushed_at,
    min(case when by_pull then first_received_at end) as first_pulled_at,
    max(landed_at) as last_updated_at
  from observations
  group by source, item_id
),

merged as (
{% if is_incremental() %}
  select
    n.source,
    n.item_id,
    n.seen_by_push or coalesce(o.seen_by_push, false) as seen_by_push,
    n.seen_by_pull or coalesce(o.seen_by_pull, false) as seen_by_pull,
    case when o.pulled_occurred_at is null or n.pulled_occurred_at < o.pulled_occurred_at then n.pulled_occurred_at else o.pulled_occurred_at end as pulled_occurred_at,
    case when o.any_occurred_at is null or n.any_occurred_at < o.any_occurred_at then n.any_occurred_at else o.any_occurred_at end as any_occurred_at,
    case when o.first_pushed_at is null or n.first_pushed_at < o.first_pushed_at then n.first_pushed_at else o.first_pushed_at end as first_pushed_at,
    case when o.first_pulled_at is null or n.first_pulled_at < o.first_pulled_at then n.first_pulled_at else o.first_pulled_at end as first_pulled_at,
    case when o.last_updated_at is null or n.last_updated_at > o.last_updated_at then n.last_updated_at else o.last_updated_at end as last_updated_at
  from new_items as n
  left join {{ this }} as o on o.source = n.source and o.item_id = n.item_id
{% else %}
  select * from new_items
{% endif %}
)

select
  source,
  item_id,
  {{ utc_date('coalesce(pulled_occurred_at, any_occurred_at)') }} as day,
  coalesce(pulled_occurred_at, any_occurred_at) as occurred_at,
  seen_by_push,
  seen_by_pull,
  pulled_occurred_at,
  any_occurred_at,
  first_pushed_at,
  first_pulled_at,
  last_updated_at
from merged
