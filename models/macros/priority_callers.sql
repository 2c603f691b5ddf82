{#
  priority_callers(): a SELECT of one column, e164, holding the priority callers' numbers:
  the rows of the vip_callers seed (models/seeds/vip_callers.csv, or yours in a models.paths
  folder), plus models.vars.priority_callers, a list of E.164 numbers (`["+6591234567"]`, or
  one comma-separated string) kept for configs that set it. Spaces, dots, dashes and
  brackets are ignored in both. A var entry that is then not E.164 is left out, so no value
  can break out of its SQL string; a seed row that is not E.164 matches no call. Used by
  slack_escalations and zendesk_missed_call_tickets.
#}
{% macro priority_callers() -%}
{%- set listed = var('priority_callers', []) -%}
{%- if listed is string %}{% set listed = listed.split(',') %}{% endif -%}
{%- set numbers = [] -%}
{%- for number in listed -%}
{%- set cleaned = number | string | replace(r/[\s().-]/g, '') -%}
{%- if r/^[+][1-9][0-9]{5,14}$/.test(cleaned) %}{% set _ = numbers.push(cleaned) %}{% endif -%}
{%- endfor -%}
select replace(replace(replace(replace(replace(v.phone, ' ', ''), '.', ''), '-', ''), '(', ''), ')', '') as e164
from {{ ref('vip_callers') }} as v
{%- for number in numbers %} union all select '{{ number }}'{% endfor %}
{%- endmacro %}
