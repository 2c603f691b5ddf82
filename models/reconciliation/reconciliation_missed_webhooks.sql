{#
  The webhooks that never arrived: items 8x8's export lists but no webhook brought, with
  when the pull found them. Check the webhook registration (URL, auth) and the landing
  rejections (`switchboard replay --list`) for their day.
#}
{{ config(materialized='view', tags=['reconciliation']) }}

select source, day, item_id, occurred_at, first_pulled_at
from {{ ref('reconciliation_items') }}
where seen_by_pull and not seen_by_push
