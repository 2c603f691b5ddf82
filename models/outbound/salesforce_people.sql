{#
  Salesforce Contacts and Leads (not converted) with their phone numbers in E.164: the
  people a call's WhoId can point at. One row per person and phone field (Phone,
  MobilePhone). account_id is a Contact's AccountId (null for Leads and private Contacts);
  marts/account_call_rollup rolls calls up by it.

  The Salesforce destination fills this table before each sync (its beforeSync pulls the
  people with SOQL and normalises the numbers as the models do: core/normalize/phone.ts).
  A build only makes sure the table exists, with these columns, so that
  salesforce_call_tasks builds before any sync has run: the select below returns no rows,
  and as an incremental model nothing of what the pull wrote is touched. A full refresh
  empties it; the next sync pulls again before it diffs.

  The column order is the one of salesforcePeopleTable() in
  sync/destinations/salesforce/people.ts: keep them the same. account_id came later and is
  last; the migration sync/0003 adds it to a table made before. on_schema_change='fail':
  rebuilding this table when its columns differ would empty what the pull wrote, so a build
  that finds other columns fails (SB_MODEL_SCHEMA_CHANGED) and leaves the rows alone.
#}
{{ config(materialized='incremental', unique_key=['id', 'phone_field'], on_schema_change='fail', tags=['sync', 'salesforce']) }}

select
  cast(null as {{ type('text') }}) as id,
  cast(null as {{ type('text') }}) as object,
  cast(null as {{ type('text') }}) as phone_field,
  cast(null as {{ type('text') }}) as phone_raw,
  cast(null as {{ type('text') }}) as phone_e164,
  cast(null as {{ type('timestamp') }}) as pulled_at,
  cast(null as {{ type('text') }}) as account_id
from (select 1 as one) as no_rows
where 1 = 0
