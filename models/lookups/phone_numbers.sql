{#
  Every phone-ish value the staging models hold, with its region hint. Switchboard
  normalises each new (raw, region_hint) pair in TypeScript (libphonenumber) and keeps
  (raw, region_hint, e164, extension, kind) in this table, which the curated models join:
  one normaliser for all four warehouses. Extensions, queue and voicemail labels and
  alphanumeric sender IDs keep kind 'extension', 'label' or 'alphanumeric' and no e164.
#}
{{ config(materialized='phone_lookup', tags=['lookups']) }}

{# Every phone-bearing column of the staging models: [model, raw value, region hint]. #}
{% set phone_fields = [
  ['stg_voice_legs', 'source_raw', 'source_region'],
  ['stg_voice_legs', 'destination_raw', 'destination_region'],
  ['stg_message_events', 'from_raw', 'region_hint'],
  ['stg_message_events', 'to_raw', 'region_hint'],
  ['stg_meeting_events', 'nick', 'region_hint'],
  ['stg_work_calls', 'caller_raw', 'region_hint'],
  ['stg_work_calls', 'callee_raw', 'region_hint'],
  ['stg_work_calls', 'dnis_raw', 'region_hint'],
  ['stg_cc_interactions', 'from_raw', 'region_hint'],
  ['stg_cc_interactions', 'to_raw', 'region_hint'],
  ['stg_work_legs', 'caller_raw', 'region_hint'],
  ['stg_work_legs', 'callee_raw', 'region_hint'],
  ['stg_cc_conversations', 'phone_raw', 'region_hint']
] %}

{% for model, raw, region in phone_fields %}
{% if not loop.first %}
union all
{% endif %}
select {{ raw }} as raw, {{ region }} as region_hint, landed_at from {{ ref(model) }}
{% if is_incremental() %} where landed_at > {{ watermark('landed_at') }} {% endif %}
{% endfor %}
