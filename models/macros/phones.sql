{#
  phone_number_join(alias, raw, region_hint): a left join of the phone lookup
  (ref('phone_numbers'): raw, region_hint → e164, extension, kind) as `alias`, for one
  phone-ish value and the region it was sent from. Every number a curated table shows goes
  through this one lookup, so all four warehouses normalise numbers the same way.
  Example: {{ phone_number_join('c', 'w.callee_raw', 'w.region_hint') }}  → c.e164, c.extension
#}
{% macro phone_number_join(alias, raw, region_hint) -%}
left join {{ ref('phone_numbers') }} as {{ alias }} on {{ alias }}.raw = {{ raw }} and {{ alias }}.region_hint = {{ region_hint }}
{%- endmacro %}

{#
  phone_pair_joins(from_raw, from_region, to_raw, to_region): the two lookups of a call or
  message, who and whom: aliases f (from) and t (to), as phone_pair_columns expects.
  Example: {{ phone_pair_joins('r.from_raw', 'r.region_hint', 'r.to_raw', 'r.region_hint') }}
#}
{% macro phone_pair_joins(from_raw, from_region, to_raw, to_region) -%}
{{ phone_number_join('f', from_raw, from_region) }}
{{ phone_number_join('t', to_raw, to_region) }}
{%- endmacro %}

{#
  phone_pair_columns(from_raw, to_raw, extensions=true, to_extension='t.extension'): the
  columns from_e164, to_e164, from_raw, to_raw (each under the model's PII policy for phones,
  see pii()), then from_extension and to_extension unless extensions=false. The e164 and
  extension values come from the joins f and t of phone_pair_joins; to_extension can be
  another expression (a Work call's extension is its callee's, when the dialled number has
  none). No comma after the last column.
  Example:
    select c.call_id, {{ phone_pair_columns('c.from_raw', 'c.to_raw') }}, c.started_at
    from calls_shaped as c
    {{ phone_pair_joins('c.from_raw', 'c.region_hint', 'c.to_raw', 'c.region_hint') }}
#}
{% macro phone_pair_columns(from_raw, to_raw, extensions=true, to_extension='t.extension') -%}
{{ pii('f.e164', 'phone', 'from_e164') }} as from_e164,
  {{ pii('t.e164', 'phone', 'to_e164') }} as to_e164,
  {{ pii(from_raw, 'phone', 'from_raw') }} as from_raw,
  {{ pii(to_raw, 'phone', 'to_raw') }} as to_raw
{%- if extensions %},
  f.extension as from_extension,
  {{ to_extension }} as to_extension
{%- endif %}
{%- endmacro %}
