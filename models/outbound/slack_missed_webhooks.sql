{#
  One row per source and day whose webhooks went missing, for a Slack alert sync (key
  alert_key, the message from `text`): days of reconciliation_daily with at least
  pulls.reconciliation.minEvents pulled events and a missed share above
  pulls.reconciliation.missedShareAlert (the same thresholds as the alert serve logs).
  When more go missing that day the text changes, so the sync edits the message it posted.
#}
{{ config(materialized='view', tags=['sync', 'slack', 'reconciliation']) }}

select
  source || ':' || cast(day as {{ type('text') }}) as alert_key,
  source,
  day,
  pull_events,
  missed_webhooks,
  missed_share,
  ':warning: ' || cast(missed_webhooks as {{ type('text') }}) || ' of ' || cast(pull_events as {{ type('text') }}) || ' '
    || source || ' events on ' || cast(day as {{ type('text') }}) || ' ('
    || cast(cast(round(missed_share * 100) as {{ type('bigint') }}) as {{ type('text') }})
    || ' %) never arrived as webhooks. Which ones: reconciliation_missed_webhooks.' as text
from {{ ref('reconciliation_daily') }}
where pull_events >= {{ var('missed_webhooks_min_events', 20) }}
  and missed_share > {{ var('missed_webhooks_alert_share', 0.05) }}
