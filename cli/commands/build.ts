import { Command } from 'commander';
import { runModels, type RunModelsOptions } from '../run-models.js';

export function buildCommand(): Command {
  return new Command('build')
    .description('Build the models and run each one\'s data tests, in the running server if there is one (it holds the DuckDB file), else directly.')
    .option('-s, --select <selector...>', 'only these models: name, name+ (and downstream), +name (and upstream), tag:name')
    .option('--exclude <selector...>', 'leave these out (after --select); default: the reconciliation models while no pull source is configured')
    .option('--full-refresh', 'rebuild incremental models (and phone lookups) from scratch instead of merging new rows; snapshots are never rebuilt')
    .option('-c, --config <file>', 'config file (for the warehouse, models.* and the operator API address)')
    .option('--admin-url <url>', 'the operator API base URL (default: from admin.host and admin.port)')
    .addHelpText(
      'after',
      `
Models run in dependency order, each followed by its tests (YAML data tests, and singular
tests in tests/*.sql after the last model they ref); a model that fails, or whose tests fail,
skips everything downstream of it. Exit status 1 when any model or test did not
succeed. Run results go to <models.targetDir>/run_results.json and <models.schema>.sb_run_results.
\`serve\` also builds on models.schedule; one build runs at a time (SB_MODEL_BUILD_RUNNING).

Examples:
  switchboard build
  switchboard build --select calls+              # calls and everything built from it
  switchboard build --select tag:messages +meetings
  switchboard build --select stg_voice_legs+ --full-refresh   # after changing a model's SQL`,
    )
    .action((options: RunModelsOptions) => runModels('build', options));
}
