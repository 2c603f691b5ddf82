import { Command } from 'commander';
import { runModels, type RunModelsOptions } from '../run-models.js';

export function testCommand(): Command {
  return new Command('test')
    .description('Run the tests (data tests in models/**/*.yml, singular tests in tests/*.sql) against the tables as built, in the running server if there is one, else directly.')
    .option('-s, --select <selector...>', 'only the tests of these models: name, name+, +name, tag:name')
    .option('--exclude <selector...>', 'leave these out (after --select); default: the reconciliation models while no pull source is configured')
    .option('-c, --config <file>', 'config file (for the warehouse, models.* and the operator API address)')
    .option('--admin-url <url>', 'the operator API base URL (default: from admin.host and admin.port)')
    .addHelpText(
      'after',
      `
Exit status 1 when any test fails or errors (a test with severity warn only warns); a failing
test's message has the query that lists its failing rows (run it with \`switchboard sql\`), or
the table that holds them with store_failures. Results are saved as for \`build\`.

Examples:
  switchboard test
  switchboard test --select calls call_legs
  switchboard test --select tag:meetings`,
    )
    .action((options: RunModelsOptions) => runModels('test', options));
}
