{#
  One row per Contact Center Chat Gateway CONVERSATION_UPDATE event: the customer's number of
  a chat conversation, which its MESSAGE events do not carry. By the documented fields
  (docs/actions-events/docs/webhooks-events-reference.md, 8x8Cloud/public-developer-docs):
  `data.msisdn`, "the user's phone number in MSISDN format (for telephony-based channels)",
  else `data.user.phone`, "the user's phone number" (free text). messages.sql gives it to the
  conversation's cc_chat messages: the sender of an inbound one, the recipient of an outbound
  one. Which update is the conversation's newest goes by 8x8's `timestamp` (epoch ms), not by
  arrival.
#}
{{ config(materialized='incremental', unique_key='dedupe_key', merge_window_column='landed_at', updated_at='landed_at', tags=['messages', 'staging']) }}

with events as (
  select
    dedupe_key, first_received_at, landed_at,
    {{ json_text('body', 'conversationId') }} as conversation_id,
    {{ json_text('body', 'timestamp') }} as event_text,
    {{ json_text('body', 'data.msisdn') }} as msisdn,
    {{ json_text('body', 'data.user.phone') }} as user_phone
  from {{ landed_events('contact_center_events') }}
  where event_type = 'CONVERSATION_UPDATE'
  {% if is_incremental() %}
    and landed_at > {{ watermark('landed_at') }}
    -- a staged event never changes: take only those not staged yet
    and dedupe_key not in (select dedupe_key from {{ this }} where landed_at > {{ watermark('landed_at') }})
  {% endif %}
)

select
  dedupe_key,
  conversation_id,
  coalesce(nullif(trim(msisdn), ''), nullif(trim(user_phone), '')) as phone_raw,
  '{{ var("region_contact_center", var("default_region", "")) }}' as region_hint,
  {{ to_utc('event_text') }} as event_at,
  first_received_at,
  landed_at
from events
where conversation_id is not null
