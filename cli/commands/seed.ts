import { Command } from 'commander';
import { runModels, type RunModelsOptions } from '../run-models.js';

export function seedCommand(): Command {
  return new Command('seed')
    .description('Load the seeds (the CSV files under seeds/ in the models folders) into tables, in the running server if there is one, else directly.')
    .option('-s, --select <selector...>', 'only the seeds among these: name, name+, +name, tag:name')
    .option('--exclude <selector...>', 'leave these out (after --select)')
    .option('-c, --config <file>', 'config file (for the warehouse, models.* and the operator API address)')
    .option('--admin-url <url>', 'the operator API base URL (default: from admin.host and admin.port)')
    .addHelpText(
      'after',
      `
As dbt seed: each selected seed's table is replaced with the rows of its CSV file; its data
tests do not run (\`switchboard test --select <seed>\` runs them, \`build\` runs both). \`build\`
loads the seeds too, before the models that ref() them. On Postgres, replacing a table drops
the views that read it: rebuild them with \`switchboard build --select <seed>+\`.
Exit status 1 when a seed did not load; results are saved as for \`build\`.

Examples:
  switchboard seed
  switchboard seed --select vip_callers
  switchboard build --select vip_callers+     # the seed, then every model that reads it`,
    )
    .action((options: RunModelsOptions) => runModels('seed', options));
}
