{#
  Calculated fields that analysts slice calls by, used in models/marts/ and callable from any
  model: `{{ duration_bucket('c.talk_seconds') }}`. README › Marts and calculated fields lists
  each definition; a macro of the same name in your project's macros/ replaces one of these
  for every model, the bundled marts included (change the tests in your YAML with it).

  Bands are half-open: a value on an edge belongs to the band above it (30 s is '30s-2m').
  NULL and negative seconds give NULL.
#}

{# A call's (or any) duration in seconds: '<30s', '30s-2m', '2-5m', '5-10m', '10-30m', '30m+'. #}
{% macro duration_bucket(seconds) -%}
case
  when {{ seconds }} is null or {{ seconds }} < 0 then null
  when {{ seconds }} < 30 then '<30s'
  when {{ seconds }} < 120 then '30s-2m'
  when {{ seconds }} < 300 then '2-5m'
  when {{ seconds }} < 600 then '5-10m'
  when {{ seconds }} < 1800 then '10-30m'
  else '30m+'
end
{%- endmacro %}

{# Seconds a caller waited in a queue: '<10s', '10-20s', '20-30s', '30-60s', '1-2m', '2-5m', '5m+'. #}
{% macro wait_band(seconds) -%}
case
  when {{ seconds }} is null or {{ seconds }} < 0 then null
  when {{ seconds }} < 10 then '<10s'
  when {{ seconds }} < 20 then '10-20s'
  when {{ seconds }} < 30 then '20-30s'
  when {{ seconds }} < 60 then '30-60s'
  when {{ seconds }} < 120 then '1-2m'
  when {{ seconds }} < 300 then '2-5m'
  else '5m+'
end
{%- endmacro %}

{#
  A queued call's part in the service level, against an answer target in seconds, after
  Cisco Unified ICM's "service level events" (a call counts once it is answered, abandons, or
  waits past the target): 'met' (answered within the target, wait <= target); 'missed'
  (waited longer than the target, answered late or not at all); 'short_abandon' (the caller
  hung up within the target); 'flow_out' (left the queue unanswered within the target: to
  voicemail, a callback, another number, or no agent took the offer). NULL when the wait or
  the target is unknown. The service level is met / (met + missed): short abandons and early
  flow-outs are left out ("SL Aban Ignored").
#}
{% macro sla_status(outcome, wait_seconds, target_seconds) -%}
case
  when {{ wait_seconds }} is null or {{ target_seconds }} is null then null
  when {{ outcome }} = 'answered' and {{ wait_seconds }} <= {{ target_seconds }} then 'met'
  when {{ wait_seconds }} > {{ target_seconds }} then 'missed'
  when {{ outcome }} = 'abandoned' then 'short_abandon'
  else 'flow_out'
end
{%- endmacro %}

{#
  The start of the UTC interval of `minutes` (a divisor of a day: 15, 30, 60) that holds the
  timestamp `ts`: 10:14:59.999 is in the 10:00 interval, 10:15:00 starts the next one.
#}
{% macro utc_interval_start(ts, minutes=15) -%}
{% set epoch = "cast('1970-01-01T00:00:00Z' as " ~ type('timestamp') ~ ")" -%}
{{ add_milliseconds(epoch, 'floor(' ~ seconds_between(epoch, ts) ~ ' / ' ~ (minutes * 60) ~ ') * ' ~ (minutes * 60000)) }}
{%- endmacro %}
