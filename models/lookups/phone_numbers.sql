{#
  Every phone-ish value the staging models hold, with its region hint. Switchboard
  normalises each new (raw, region_hint) pair in TypeScript (libphonenumber) and keeps
  (raw, region_hint, e164, extension, kind) in this table, which the curated models join:
  one normaliser for all four warehouses. Extensions, queue and voicemail labels and
  alphanumeric sender IDs keep kind 'extension', 'label' or 'alphanumeric' and no e164.
#}
{{ config(materialized='phone_lookup', tags=['lookups']) }}

select source_raw as raw, source_region as region_hint, landed_at from {{ ref('stg_voice_legs') }}
{% if is_incremental() %} where landed_at > {{ watermark('landed_at') }} {% endif %}
union all
select destination_raw, destination_region, landed_at from {{ ref('stg_voice_legs') }}
{% if is_incremental() %} where landed_at > {{ watermark('landed_at') }} {% endif %}
union all
select from_raw, region_hint, landed_at from {{ ref('stg_message_events') }}
{% if is_incremental() %} where landed_at > {{ watermark('landed_at') }} {% endif %}
union all
select to_raw, region_hint, landed_at from {{ ref('stg_message_events') }}
{% if is_incremental() %} where landed_at > {{ watermark('landed_at') }} {% endif %}
union all
select nick, region_hint, landed_at from {{ ref('stg_meeting_events') }}
{% if is_incremental() %} where landed_at > {{ watermark('landed_at') }} {% endif %}
union all
select caller_raw, region_hint, landed_at from {{ ref('stg_work_calls') }}
{% if is_incremental() %} where landed_at > {{ watermark('landed_at') }} {% endif %}
union all
select callee_raw, region_hint, landed_at from {{ ref('stg_work_calls') }}
{% if is_incremental() %} where landed_at > {{ watermark('landed_at') }} {% endif %}
union all
select dnis_raw, region_hint, landed_at from {{ ref('stg_work_calls') }}
{% if is_incremental() %} where landed_at > {{ watermark('landed_at') }} {% endif %}
union all
select from_raw, region_hint, landed_at from {{ ref('stg_cc_interactions') }}
{% if is_incremental() %} where landed_at > {{ watermark('landed_at') }} {% endif %}
union all
select to_raw, region_hint, landed_at from {{ ref('stg_cc_interactions') }}
{% if is_incremental() %} where landed_at > {{ watermark('landed_at') }} {% endif %}
union all
select caller_raw, region_hint, landed_at from {{ ref('stg_work_legs') }}
{% if is_incremental() %} where landed_at > {{ watermark('landed_at') }} {% endif %}
union all
select callee_raw, region_hint, landed_at from {{ ref('stg_work_legs') }}
{% if is_incremental() %} where landed_at > {{ watermark('landed_at') }} {% endif %}
union all
select phone_raw, region_hint, landed_at from {{ ref('stg_cc_conversations') }}
{% if is_incremental() %} where landed_at > {{ watermark('landed_at') }} {% endif %}
