{#
  salesforce_person_per_phone(): the Salesforce person each E.164 number belongs to, as a
  SELECT of phone_e164, id, object, phone_field and account_id from salesforce_people (which
  the Salesforce destination pulls): a Contact before a Lead, Phone before MobilePhone, then
  the smallest Id, so that the choice never flips between runs. salesforce_call_tasks names
  this person as a call's WhoId, and account_call_rollup rolls the call up to its account.
  Example:
    left join ({{ salesforce_person_per_phone() }}) as p on p.phone_e164 = c.customer_e164
#}
{% macro salesforce_person_per_phone() -%}
{{ first_row_per(
    "select phone_e164, id, object, phone_field, account_id from " ~ ref('salesforce_people') ~ " where phone_e164 is not null and object in ('Contact', 'Lead')",
    'phone_e164',
    "case when object = 'Contact' then 0 else 1 end, case when phone_field = 'Phone' then 0 else 1 end, id"
) }}
{%- endmacro %}
