{#
  One row per message: SMS, Chat Apps and Contact Center chat. Receipts that arrive before
  the message, retried deliveries and receipts out of order all fold into one row, whose
  status is the furthest state reached. Every documented state has a rank:
  - webhook receipts (docs/connect/docs/message-status-references.md): queued, sent,
    delivered, read, and the terminal rejected ("rejected by 8x8") and undelivered;
  - the SMS API's message schema, used by log exports (docs_oas/connect/sms_api.json):
    also unknown, ok, error and failed ("rejected by the api and will not be processed").
  unknown < queued < sent = ok < delivered < read < terminal (rejected, failed, undelivered,
  error). The docs do not say what ok and error mean beyond their names: ok ranks as sent,
  error as a terminal failure. Within delivered, delivered_to_recipient outranks
  delivered_to_operator. A state no doc lists keeps no rank, so it never hides a known one.
  Inbound messages have status 'received'.
  A Contact Center chat message carries no number: its customer's is its conversation's
  (stg_cc_conversations), the sender of an inbound message and the recipient of an outbound one.
#}
{{ config(materialized='incremental', unique_key='message_id', updated_at='last_updated_at', tags=['messages', 'curated']) }}

with events as (
  select
    *,
    case status_state
      when 'unknown' then 0 when 'queued' then 1 when 'sent' then 2 when 'ok' then 2
      when 'delivered' then 3 when 'read' then 4
      when 'rejected' then 5 when 'failed' then 5 when 'undelivered' then 5 when 'error' then 5
    end as status_rank,
    case status_detail when 'delivered_to_recipient' then 1 else 0 end as detail_rank
  from {{ ref('stg_message_events') }}
  {% if is_incremental() %}
  where {{ changed_since_last_build('message_id', ref('stg_message_events')) }}
    or {{ changed_since_last_build('conversation_id', ref('stg_cc_conversations')) }}
  {% endif %}
),

conversation_updates as (
  select
    conversation_id as number_conversation_id, phone_raw as conversation_phone_raw, landed_at as number_landed_at,
    event_at as number_event_at, dedupe_key as number_dedupe_key
  from {{ ref('stg_cc_conversations') }}
  where phone_raw is not null
),

conversation_numbers as (
  {{ first_row_per('select * from conversation_updates', 'number_conversation_id', 'number_event_at desc, number_dedupe_key desc') }}
),

furthest as (
  {{ first_row_per(
      'select message_id, status_rank, detail_rank, status_state, status_detail, status_at, error_code from events where status_rank is not null',
      'message_id',
      'status_rank desc, detail_rank desc, status_at'
  ) }}
),

rollup as (
  select
    message_id,
    -- a Chat Apps export row does not say which app: the webhook's 'whatsapp' wins over 'chatapps'
    coalesce(max(case when channel <> 'chatapps' then channel end), max(channel)) as channel,
    -- the message itself says which way it went; receipts always describe outbound ones
    coalesce(max(case when status_state is null then direction end), max(direction)) as direction,
    coalesce(max(from_raw), max(case when channel = 'cc_chat' and direction = 'inbound' then conversation_phone_raw end)) as from_raw,
    coalesce(max(to_raw), max(case when channel = 'cc_chat' and direction = 'outbound' then conversation_phone_raw end)) as to_raw,
    max(region_hint) as region_hint,
    max(channel_user_id) as channel_user_id,
    max(sender_id) as sender_id,
    max(body) as body,
    min(message_at) as message_at,
    min(case when status_state in ('queued', 'sent') then status_at end) as first_sent_status_at,
    min(status_at) as first_status_at,
    min(case when status_state = 'delivered' then status_at end) as delivered_at,
    min(case when status_state = 'read' then status_at end) as read_at,
    max(error_code) as any_error_code,
    max(segments) as segments,
    max(price_total) as price_total,
    max(price_currency) as price_currency,
    max(conversation_id) as conversation_id,
    min(first_received_at) as first_seen_at,
    max(case when number_landed_at > landed_at then number_landed_at else landed_at end) as last_updated_at
  from events
  left join conversation_numbers on number_conversation_id = conversation_id
  group by message_id
)

select
  r.message_id,
  r.channel,
  r.direction,
  {{ phone_pair_columns('r.from_raw', 'r.to_raw', extensions=false) }},
  r.channel_user_id,
  r.sender_id,
  {{ pii('r.body', 'body', 'body') }} as body,
  coalesce(r.message_at, r.first_sent_status_at, r.first_status_at) as sent_at,
  case
    when x.status_state is not null then x.status_state
    when r.direction = 'inbound' then 'received'
    else 'sent'
  end as status,
  x.status_detail,
  coalesce(x.status_at, r.message_at) as status_at,
  r.delivered_at,
  r.read_at,
  coalesce(x.error_code, r.any_error_code) as error_code,
  r.segments,
  r.price_total,
  r.price_currency,
  r.conversation_id,
  r.first_seen_at,
  r.last_updated_at
from rollup as r
left join furthest as x on x.message_id = r.message_id
{{ phone_pair_joins('r.from_raw', 'r.region_hint', 'r.to_raw', 'r.region_hint') }}
