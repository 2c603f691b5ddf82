{#
  changed_since_last_build(key, relations, watermark_column='last_updated_at'): a condition
  for the is_incremental() branch of a model that folds many events into one row per key:
  the key is one of those that anything landed for since the model's watermark (the newest
  watermark_column it holds, minus models.lookbackSeconds), in any of `relations` (one
  relation, or a list whose matches add up). Every event of such a key is then read again,
  not only the new ones, so that its row is rebuilt whole.
  Example:
    from {{ ref('stg_message_events') }}
    {% if is_incremental() %}
    where {{ changed_since_last_build('message_id', ref('stg_message_events')) }}
    {% endif %}
#}
{% macro changed_since_last_build(key, relations, watermark_column='last_updated_at') -%}
{% set relation_list = [relations] if relations is string else relations %}
{% if relation_list | length > 1 %}({% endif %}
{%- for relation in relation_list -%}
{{ key }} in (select {{ key }} from {{ relation }} where landed_at > {{ watermark(watermark_column) }})
{%- if not loop.last %} or {% endif %}
{%- endfor -%}
{% if relation_list | length > 1 %}){% endif %}
{%- endmacro %}

{#
  latest_version_ctes(prefix, relation, key, changed_key=key, where=none, changed_in=[relation]):
  three CTEs for records that 8x8 sends whole, again and again (a pull reads state: the
  same call record is ringing in one page and answered in the next):
  - <prefix>_versions: every version of the records to build: all of them, or in an
    incremental build only those of keys changed since the last build
    (changed_since_last_build over `changed_key` in `changed_in`), and only rows that meet
    `where` (a condition) when one is given;
  - <prefix>_latest: the newest version per key (latest landed_at, then dedupe_key);
  - <prefix>_seen: per key, first_seen_at (the first version's first_received_at) and
    last_updated_at (the newest version's landed_at).
  The relation needs the columns landed_at, dedupe_key and first_received_at, as every
  staging model has. Follow the call with a comma when more CTEs come after it.
  Example:
    with {{ latest_version_ctes('work', ref('stg_work_calls'), 'call_id') }},
    shaped as (select w.*, seen.first_seen_at from work_latest as w join work_seen as seen on seen.call_id = w.call_id)
#}
{% macro latest_version_ctes(prefix, relation, key, changed_key=none, where=none, changed_in=none) -%}
{{ prefix }}_versions as (
  select *
  from {{ relation }}
  {% set conditions = [] %}
  {% if where %}{% set _ = conditions.push(where) %}{% endif %}
  {% if is_incremental() %}{% set _ = conditions.push(changed_since_last_build(changed_key or key, changed_in or relation)) %}{% endif %}
  {% if conditions | length %}
  where {{ conditions | join('\n    and ') }}
  {% endif %}
),

{{ prefix }}_latest as (
  {{ first_row_per('select * from ' ~ prefix ~ '_versions', key, 'landed_at desc, dedupe_key desc') }}
),

{{ prefix }}_seen as (
  select {{ key }}, min(first_received_at) as first_seen_at, max(landed_at) as last_updated_at
  from {{ prefix }}_versions
  group by {{ key }}
)
{%- endmacro %}
