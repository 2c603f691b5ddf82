{#
  Calculated fields that analysts slice calls by, used in models/marts/ and callable from any
  model: `{{ duration_bucket('c.talk_seconds') }}`. README › Marts and calculated fields lists
  each definition; a macro of the same name in your project's macros/ replaces one of these
  for every model, the bundled marts included (change the tests in your YAML with it).

  Bands are half-open: a value on an edge belongs to the band above it (30 s is '30s-2m').
  NULL and negative seconds give NULL.
#}

{#
  duration_bucket(seconds): a duration in seconds as '<30s' [0, 30), '30s-2m' [30, 120),
  '2-5m' [120, 300), '5-10m' [300, 600), '10-30m' [600, 1800) or '30m+' [1800, ∞).
  Example:
    {{ duration_bucket('c.duration_seconds') }} as duration_bucket
#}
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

{#
  wait_band(seconds): seconds a caller waited in a queue as '<10s' [0, 10), '10-20s' [10, 20),
  '20-30s' [20, 30), '30-60s' [30, 60), '1-2m' [60, 120), '2-5m' [120, 300) or '5m+' [300, ∞).
  Example:
    {{ wait_band('q.wait_seconds') }} as wait_band
#}
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
  sla_status(outcome, wait_seconds, target_seconds): a queued call's part in the service
  level, against an answer target in seconds (calls.outcome values), after
  Cisco Unified ICM's "service level events" (a call counts once it is answered, abandons, or
  waits past the target): 'met' (answered within the target, wait <= target); 'missed'
  (waited longer than the target, answered late or not at all); 'short_abandon' (the caller
  hung up within the target); 'flow_out' (left the queue unanswered within the target: to
  voicemail, a callback, another number, or no agent took the offer). NULL when the wait or
  the target is unknown. The service level is met / (met + missed): short abandons and early
  flow-outs are left out ("SL Aban Ignored").
  Example:
    {{ sla_status('q.outcome', 'q.wait_seconds', 't.target_answer_seconds') }} as sla_status
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
  utc_interval_start(ts, minutes=15): the start of the UTC interval of `minutes` (a divisor of
  a day: 15, 30, 60) that holds the timestamp `ts`: 10:14:59.999 is in the 10:00 interval,
  10:15:00 starts the next one.
  Example:
    {{ utc_interval_start('q.offered_at', 30) }} as half_hour
#}
{% macro utc_interval_start(ts, minutes=15) -%}
{% set epoch = "cast('1970-01-01T00:00:00Z' as " ~ type('timestamp') ~ ")" -%}
{{ add_milliseconds(epoch, 'floor(' ~ seconds_between(epoch, ts) ~ ' / ' ~ (minutes * 60) ~ ') * ' ~ (minutes * 60000)) }}
{%- endmacro %}
