import { Command } from 'commander';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { SwitchboardError } from '../../core/errors.js';

/**
 * The files of a new project: one model on top of the bundled `calls`, its YAML with tests
 * and descriptions, a singular test of it, and a macro. Paths relative to the project folder.
 */
export const SCAFFOLD: Readonly<Record<string, string>> = {
  'calls_by_day.sql': `{#
  An example model on top of the bundled models: calls per UTC day and direction.
  ref('calls') reads the bundled curated table; rename or delete this file freely.
#}
{{ config(materialized='table', tags=['example']) }}

select
  {{ utc_date('started_at') }} as day,
  direction,
  count(*) as calls,
  sum(case when is_missed then 1 else 0 end) as missed_calls,
  {{ rounded_seconds('avg(talk_seconds)') }} as avg_talk_seconds
from {{ ref('calls') }}
where started_at is not null
group by 1, 2
`,
  'schema.yml': `# Properties and data tests of this project's models, as dbt declares them.
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
`,
  'tests/calls_by_day_adds_up.sql': `{#
  A singular test: a SELECT of the rows that break a rule. The test fails when it returns any
  row; {{ config(severity='warn') }} would make that a warning.
#}
select day, direction, calls, missed_calls
from {{ ref('calls_by_day') }}
where missed_calls > calls
`,
  'macros/rounding.sql': `{# Macros here are callable from every model, this project's and the bundled ones'. #}
{% macro rounded_seconds(expr) %}cast(round({{ expr }}) as {{ type('bigint') }}){% endmacro %}
`,
};

export function initModelsCommand(): Command {
  return new Command('init-models')
    .description('Scaffold your own models project on top of the bundled models (an example model, its tests, a singular test and a macro).')
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
