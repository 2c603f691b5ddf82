{#
  Every Connect message and voice session, and whether a webhook brought it, a pull
  brought it, or both (one row per source and item). Pulls read 8x8's own record of what
  happened, so an item only a pull saw is a webhook that never arrived (or was refused:
  see the landing rejections). The day is the pulled record's, in UTC.
  Work and Contact Center calls are pull-only (Switchboard has no webhook for them), so
  they are not reconciled here.
#}
{{ config(materialized='incremental', unique_key=['source', 'item_id'], updated_at='last_updated_at', tags=['reconciliation']) }}

with observations as (
  select
    case when event_type like 'SMS%' then 'connect_sms' else 'connect_chatapps' end as source,
    message_id as item_id,
    event_type in ('SMS_LOG_EXPORT', 'CHATAPPS_LOG_EXPORT') as by_pull,
    coalesce(message_at, status_at) as occurred_at,
    first_received_at,
    landed_at
  from {{ ref('stg_message_events') }}
  where channel <> 'cc_chat'
  {% if is_incremental() %}
    and message_id in (select message_id from {{ ref('stg_message_events') }} where landed_at > {{ watermark('last_updated_at') }})
  {% endif %}

  union all

  select
    'connect_voice' as source,
    session_id as item_id,
    event_type = 'VOICE_LOG_EXPORT' as by_pull,
    coalesce(initiated_at, session_started_at, event_at) as occurred_at,
    first_received_at,
    landed_at
  from {{ ref('stg_voice_legs') }}
  where session_id is not null
  {% if is_incremental() %}
    and session_id in (select session_id from {{ ref('stg_voice_legs') }} where landed_at > {{ watermark('last_updated_at') }})
  {% endif %}
),

rollup as (
  select
    source,
    item_id,
    count(case when not by_pull then 1 end) > 0 as seen_by_push,
    count(case when by_pull then 1 end) > 0 as seen_by_pull,
    coalesce(min(case when by_pull then occurred_at end), min(occurred_at), min(first_received_at)) as occurred_at,
    min(case when not by_pull then first_received_at end) as first_pushed_at,
    min(case when by_pull then first_received_at end) as first_pulled_at,
    max(landed_at) as last_updated_at
  from observations
  group by source, item_id
)

select
  source,
  item_id,
  {{ utc_date('occurred_at') }} as day,
  occurred_at,
  seen_by_push,
  seen_by_pull,
  first_pushed_at,
  first_pulled_at,
  last_updated_at
from rollup
