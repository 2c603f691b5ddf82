{#
  whole_seconds(seconds): a number of seconds, rounded to whole seconds, as a bigint. Every
  *_seconds column of the curated tables is rounded this one way.
  Example: {{ whole_seconds('(coalesce(c.ivr_ms, 0) + coalesce(c.wait_ms, 0)) / 1000.0') }} as wait_seconds
#}
{% macro whole_seconds(seconds) -%}
cast(round({{ seconds }}) as {{ type('bigint') }})
{%- endmacro %}

{#
  whole_seconds_between(from_ts, to_ts): the whole seconds from one timestamp to another
  (null when either is null), e.g. the ring time from started_at to answered_at.
  Example: {{ whole_seconds_between('c.started_at', 'c.answered_at') }} as ring_seconds
#}
{% macro whole_seconds_between(from_ts, to_ts) -%}
{{ whole_seconds(seconds_between(from_ts, to_ts)) }}
{%- endmacro %}

{#
  whole_seconds_of_ms(milliseconds): milliseconds (as 8x8's pulls report durations) in whole
  seconds.
  Example: {{ whole_seconds_of_ms('w.talk_ms') }} as talk_seconds
#}
{% macro whole_seconds_of_ms(milliseconds) -%}
{{ whole_seconds(milliseconds ~ ' / 1000.0') }}
{%- endmacro %}

{#
  whole_seconds_of_ms_or_between(milliseconds, from_ts, to_ts): a duration 8x8 reports in
  milliseconds, in whole seconds; when it reports none, the whole seconds between two
  timestamps instead.
  Example: {{ whole_seconds_of_ms_or_between('w.call_ms', 'w.started_at', 'w.ended_at') }} as duration_seconds
#}
{% macro whole_seconds_of_ms_or_between(milliseconds, from_ts, to_ts) -%}
{{ whole_seconds('coalesce(' ~ milliseconds ~ ' / 1000.0, ' ~ seconds_between(from_ts, to_ts) ~ ')') }}
{%- endmacro %}
