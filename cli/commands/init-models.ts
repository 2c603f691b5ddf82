import { Command } from 'commander';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { SwitchboardError } from '../../core/errors.js';

/**
 * The files of a new project: one model on top of the bundled `calls`, a seed it joins, a
 * snapshot of it, its YAML with tests and descriptions, a singular test of it, and a macro.
 * Paths relative to the project folder.
 */
export const SCAFFOLD: Readonly<Record<string, string>> = {
  'calls_by_day.sql': `{#
  An example model on top of the bundled models: calls per UTC day and direction, next to
  the daily target from seeds/daily_call_targets.csv. ref('calls') reads the bundled curated
  table; whole_seconds() is a bundled macro, missed_share() this project's (macros/).
  Rename or delete this file freely.
#}
{{ config(materialized='table', tags=['example']) }}

select
  {{ utc_date('c.started_at') }} as day,
  c.direction,
  count(*) as calls,
  sum(case when c.is_missed then 1 else 0 end) as missed_calls,
  {{ missed_share('sum(case when c.is_missed then 1 else 0 end)', 'count(*)') }} as missed_share,
  {{ whole_seconds('avg(c.talk_seconds)') }} as avg_talk_seconds,
  max(t.target_calls) as target_calls
from {{ ref('calls') }} as c
left join {{ ref('daily_call_targets') }} as t on t.direction = c.direction
where c.started_at is not null
group by 1, 2
`,
  'schema.yml': `# Properties and data tests of this project's models and seeds, as dbt declares them.
models:
  - name: calls_by_day
    description: Calls per UTC day and direction.
    tests:
      - unique_combination_of_columns: { combination_of_columns: [day, direction] }
    columns:
      - name: day
        description: The UTC day the calls started.
        tests: [not_null]
      - name: calls
        description: Calls that started that day.
        tests: [not_null]
      - name: target_calls
        description: The day's target for the direction, from the daily_call_targets seed (NULL without a row).

seeds:
  - name: daily_call_targets
    description: How many calls a day each direction is staffed for. Edit the CSV, then run switchboard seed.
    config:
      column_types: { direction: text, target_calls: integer }
    columns:
      - name: direction
        tests: [unique, not_null]
`,
  'seeds/daily_call_targets.csv': `direction,target_calls
inbound,200
outbound,80
`,
  'snapshots/calls_by_day_history.sql': `{#
  A snapshot: each day's counts as they were at every build, since late events and pulls
  change them. One version per day and direction; a new one whenever calls or missed_calls
  change (dbt's check strategy), with dbt_valid_from and dbt_valid_to (NULL: current).
#}
{{ config(unique_key=['day', 'direction'], strategy='check', check_cols=['calls', 'missed_calls']) }}

select day, direction, calls, missed_calls from {{ ref('calls_by_day') }}
`,
  'tests/calls_by_day_adds_up.sql': `{#
  A singular test: a SELECT of the rows that break a rule. The test fails when it returns any
  row; {{ config(severity='warn') }} would make that a warning.
#}
select day, direction, calls, missed_calls
from {{ ref('calls_by_day') }}
where missed_calls > calls
`,
  'macros/shares.sql': `{# Macros here are callable from every model, this project's and the bundled ones'. #}
{% macro missed_share(part, whole) -%}
case when {{ whole }} = 0 then null else cast({{ part }} as {{ type('double') }}) / {{ whole }} end
{%- endmacro %}
`,
};

export function initModelsCommand(): Command {
  return new Command('init-models')
    .description('Scaffold your own models project on top of the bundled models (an example model, its tests, a seed, a snapshot, a singular test and a macro).')
    .argument('<dir>', 'the folder to create (it must be missing or empty)')
    .addHelpText(
      'after',
      `
Then add the folder to the config and build:

  models:
    paths: [<dir>]

  switchboard build

Your models can ref() the bundled ones; a file named like a bundled model (calls.sql)
overrides it. See README › Your own models.`,
    )
    .action(async (dir: string) => {
      const root = resolve(dir);
      const existing = await readdir(root).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(error)));
      if (existing.length > 0) {
        throw new SwitchboardError('SB_CLI_BAD_OPTION', `${dir} is not empty (${existing.slice(0, 3).join(', ')}${existing.length > 3 ? ', …' : ''}); init-models writes only into a new or empty folder. Pick another folder.`);
      }
      for (const [path, text] of Object.entries(SCAFFOLD)) {
        await mkdir(join(root, path, '..'), { recursive: true });
        await writeFile(join(root, path), text, { flag: 'wx' });
        process.stdout.write(`created ${join(relative(process.cwd(), root) || '.', path)}\n`);
      }
      process.stdout.write(`\nNext: add it to the config (models.paths: [${dir}]) and run: switchboard build\n`);
    });
}
