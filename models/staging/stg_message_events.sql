{#
  One row per message event, from Connect messaging (SMS and Chat Apps: inbound messages,
  delivery and read receipts, WhatsApp Business App echoes) and Contact Center chat
  (Chat Gateway MESSAGE and legacy TEXT events). Receipts carry no body; inbound messages
  carry no status; messages.sql folds them together per message_id.
  Rows of the SMS and Chat Apps log exports (`switchboard pull connect-sms|connect-chatapps`)
  are one more event of their message: its state when the export ran. 8x8 masks the
  export's msisdn ("+63922110xxxx") and body ("**MASKED**") unless support unmasks them;
  masked values are NULL here, so they never outvote what a webhook said.
  The user's number, by the documented fields (docs/connect/docs/inbound-chatapps-message.mdx,
  delivery-receipts-for-outbound-chatapps.mdx, 8x8Cloud/public-developer-docs): `source`,
  else `user.msisdn` ("the user phone number expressed in E.164"), else `user.channelUserId`
  when it is a number: v2 sends "always the phone number digits (same value as msisdn)",
  while v3 sends a WhatsApp BSUID or a LINE user id there, which are no numbers.
#}
{% macro channel_user_number(expr) -%}
  case when {{ regex_matches(expr, '[+]?[0-9]{7,15}') }} then {{ expr }} end
{%- endmacro %}
{{ config(materialized='incremental', unique_key='dedupe_key', merge_window_column='landed_at', updated_at='landed_at', tags=['messages', 'staging']) }}

with connect_events as (
  select
    dedupe_key, event_type, first_received_at, landed_at,
    {{ json_text('body', 'namespace') }} as namespace,
    {{ json_text('body', 'eventType') }} as connect_event_type,
    {{ json_text('body', 'payload.umid') }} as umid,
    {{ json_text('body', 'payload.recipient.channel') }} as recipient_channel,
    {{ json_text('body', 'payload.channel') }} as payload_channel,
    {{ json_text('body', 'payload.source') }} as source,
    {{ json_text('body', 'payload.destination') }} as destination,
    {{ json_text('body', 'payload.user.msisdn') }} as user_msisdn,
    {{ json_text('body', 'payload.user.channelUserId') }} as channel_user_id,
    {{ json_text('body', 'payload.recipient.channelId') }} as channel_id,
    {{ json_text('body', 'payload.body') }} as sms_body,
    {{ json_text('body', 'payload.content.text') }} as content_text,
    {{ json_text('body', 'payload.timestamp') }} as message_text,
    {{ json_text('body', 'payload.status.state') }} as status_state,
    {{ json_text('body', 'payload.status.detail') }} as status_detail,
    {{ json_text('body', 'payload.status.timestamp') }} as status_text,
    {{ json_text('body', 'payload.status.errorCode') }} as error_code,
    {{ json_text('body', 'payload.smsCount') }} as segments_text,
    {{ json_text('body', 'payload.price.total') }} as price_total_text,
    {{ json_text('body', 'payload.price.currency') }} as price_currency
  from {{ landed_events('messaging_events') }}
  where event_type in (
    'SMS.inbound_message_received', 'SMS.outbound_message_status_changed',
    'ChatApps.inbound_message_received', 'ChatApps.outbound_message_status_changed', 'ChatApps.external_app_message'
  )
  {% if is_incremental() %}
    and landed_at > {{ watermark('landed_at') }}
    -- a staged event never changes: take only those not staged yet
    and dedupe_key not in (select dedupe_key from {{ this }} where landed_at > {{ watermark('landed_at') }})
  {% endif %}
),

export_events as (
  select
    dedupe_key, event_type, first_received_at, landed_at,
    {{ json_text('body', 'umid') }} as umid,
    {{ json_text('body', 'direction') }} as direction_code,
    {{ json_text('body', 'source') }} as source,
    case when {{ json_text('body', 'msisdn') }} not like '%x%' and {{ json_text('body', 'msisdn') }} not like '%X%' and {{ json_text('body', 'msisdn') }} not like '%*%'
      then nullif({{ json_text('body', 'msisdn') }}, '') end as msisdn,
    case when {{ json_text('body', 'body') }} <> '**MASKED**' then {{ json_text('body', 'body') }} end as export_body,
    {{ json_text('body', 'createdat') }} as message_text,
    lower(nullif({{ json_text('body', 'status_value') }}, '')) as status_value,
    {{ json_text('body', 'status_timestamp') }} as status_text,
    nullif(nullif({{ json_text('body', 'status_errorcode') }}, ''), '0') as error_code,
    {{ json_text('body', 'smscount') }} as segments_text,
    {{ json_text('body', 'price_total') }} as price_total_text,
    nullif({{ json_text('body', 'price_currency') }}, '') as price_currency
  from {{ landed_events('messaging_events') }}
  where event_type in ('SMS_LOG_EXPORT', 'CHATAPPS_LOG_EXPORT')
  {% if is_incremental() %}
    and landed_at > {{ watermark('landed_at') }}
    and dedupe_key not in (select dedupe_key from {{ this }} where landed_at > {{ watermark('landed_at') }})
  {% endif %}
),

chat_events as (
  select
    dedupe_key, event_type, first_received_at, landed_at,
    {{ json_text('body', 'conversationId') }} as conversation_id,
    {{ json_text('body', 'timestamp') }} as message_text,
    coalesce({{ json_text('body', 'data.text') }}, {{ json_text('body', 'message') }}) as chat_body,
    coalesce({{ json_text('body', 'data.sender.id') }}, {{ json_text('body', 'agentId') }}) as sender_id,
    lower(coalesce({{ json_text('body', 'data.sender.type') }}, {{ json_text('body', 'messageType') }})) as sender_type
  from {{ landed_events('contact_center_events') }}
  where event_type in ('MESSAGE', 'TEXT')
  {% if is_incremental() %}
    and landed_at > {{ watermark('landed_at') }}
    -- a staged event never changes: take only those not staged yet
    and dedupe_key not in (select dedupe_key from {{ this }} where landed_at > {{ watermark('landed_at') }})
  {% endif %}
)

select
  dedupe_key, event_type,
  umid as message_id,
  case when namespace = 'SMS' then 'sms' else lower(coalesce(recipient_channel, payload_channel, 'chatapps')) end as channel,
  case when connect_event_type = 'inbound_message_received' then 'inbound' else 'outbound' end as direction,
  case when connect_event_type = 'inbound_message_received' then coalesce(source, user_msisdn, {{ channel_user_number('channel_user_id') }}) else source end as from_raw,
  case
    when connect_event_type = 'inbound_message_received' then coalesce(destination, channel_id)
    else coalesce(destination, user_msisdn, {{ channel_user_number('channel_user_id') }})
  end as to_raw,
  '{{ var("region_messaging", var("default_region", "")) }}' as region_hint,
  channel_user_id,
  case when namespace = 'SMS' and connect_event_type <> 'inbound_message_received' then source end as sender_id,
  coalesce(sms_body, content_text) as body,
  {{ to_utc('message_text') }} as message_at,
  lower(status_state) as status_state,
  lower(status_detail) as status_detail,
  {{ to_utc('status_text') }} as status_at,
  error_code,
  {{ safe_cast('segments_text', 'integer') }} as segments,
  {{ safe_cast('price_total_text', 'double') }} as price_total,
  price_currency,
  cast(null as {{ type('text') }}) as conversation_id,
  first_received_at, landed_at
from connect_events
where umid is not null

union all

select
  dedupe_key, event_type,
  umid as message_id,
  case when event_type = 'SMS_LOG_EXPORT' then 'sms' else 'chatapps' end as channel,
  case when direction_code = '0' then 'inbound' else 'outbound' end as direction,
  case when direction_code = '0' then msisdn else source end as from_raw,
  case when direction_code = '0' then source else msisdn end as to_raw,
  '{{ var("region_messaging", var("default_region", "")) }}' as region_hint,
  cast(null as {{ type('text') }}) as channel_user_id,
  case when event_type = 'SMS_LOG_EXPORT' and direction_code <> '0' then source end as sender_id,
  export_body as body,
  {{ to_utc('message_text') }} as message_at,
  -- an inbound message's only state is 'received', which messages.sql derives itself
  case when direction_code <> '0' then status_value end as status_state,
  cast(null as {{ type('text') }}) as status_detail,
  case when direction_code <> '0' then {{ to_utc('status_text') }} end as status_at,
  error_code,
  {{ safe_cast('segments_text', 'integer') }} as segments,
  {{ safe_cast('price_total_text', 'double') }} as price_total,
  price_currency,
  cast(null as {{ type('text') }}) as conversation_id,
  first_received_at, landed_at
from export_events
where umid is not null

union all

select
  dedupe_key, event_type,
  dedupe_key as message_id,
  'cc_chat' as channel,
  case when sender_type in ('agent', 'bot', 'system') then 'outbound' else 'inbound' end as direction,
  cast(null as {{ type('text') }}) as from_raw,
  cast(null as {{ type('text') }}) as to_raw,
  '{{ var("region_contact_center", var("default_region", "")) }}' as region_hint,
  cast(null as {{ type('text') }}) as channel_user_id,
  sender_id,
  chat_body as body,
  {{ to_utc('message_text') }} as message_at,
  cast(null as {{ type('text') }}) as status_state,
  cast(null as {{ type('text') }}) as status_detail,
  cast(null as {{ type('timestamp') }}) as status_at,
  cast(null as {{ type('text') }}) as error_code,
  cast(null as {{ type('integer') }}) as segments,
  cast(null as {{ type('double') }}) as price_total,
  cast(null as {{ type('text') }}) as price_currency,
  conversation_id,
  first_received_at, landed_at
from chat_events
