{#
  The history of salesforce_people: which Salesforce Contact or Lead had which phone number,
  and when. salesforce_people holds only the latest pull (the Salesforce sync replaces its
  rows before each sync), so without this a number that moved from one person to another
  matches only its newest owner. Join a call to the version valid when it started:

    p.phone_e164 = c.from_e164 and c.started_at >= p.dbt_valid_from
      and (p.dbt_valid_to is null or c.started_at < p.dbt_valid_to)

  One version per person and phone field (the model's key). The check strategy, on the
  columns that say what the number is and whose (account_id: a Contact moved to another
  Account is a new version): pulled_at changes on every pull, so as a timestamp
  strategy's updated_at it would write a new version of every row each time. pulled_at is
  kept: the pull that first saw a version. A person deleted or converted in Salesforce, or a
  number removed, leaves the pull: its version is closed (hard_deletes='invalidate'). A build
  before any pull, or after a --full-refresh emptied salesforce_people, closes nothing.
#}
{{ config(
    unique_key=['id', 'phone_field'],
    strategy='check',
    check_cols=['object', 'phone_raw', 'phone_e164', 'account_id'],
    hard_deletes='invalidate',
    tags=['salesforce']
) }}

select id, object, phone_field, phone_raw, phone_e164, pulled_at, account_id
from {{ ref('salesforce_people') }}
