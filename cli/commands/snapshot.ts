import { Command } from 'commander';
import { loadConfig } from '../../server/config.js';
import { ModelError } from '../../sql/engine/errors.js';
import { loadConfiguredProject, modelsRuntime } from '../../sql/engine/from-config.js';
import { selectModels } from '../../sql/engine/select.js';
import { dialectFor } from '../../sql/warehouses/index.js';
import { runModels, type RunModelsOptions } from '../run-models.js';

export function snapshotCommand(): Command {
  return new Command('snapshot')
    .description('Run the snapshots (the snapshots/ folders of the models project): record what changed since the last run, in the running server if there is one, else directly.')
    .option('-s, --select <selector...>', 'only the snapshots among these: name, name+ (and downstream), +name (and upstream), tag:name')
    .option('--exclude <selector...>', 'leave these out (after --select)')
    .option('-c, --config <file>', 'config file (for the warehouse, models.* and the operator API address)')
    .option('--admin-url <url>', 'the operator API base URL (default: from admin.host and admin.port)')
    .addHelpText(
      'after',
      `
As dbt snapshot: only snapshot nodes run, not the models they read (build those first, or use
\`switchboard build\`, which runs snapshots in dependency order with everything else). A
snapshot's data tests run after it. Exit status 1 when a snapshot or a test did not succeed.
Run results are saved as for \`build\`.

Examples:
  switchboard snapshot
  switchboard snapshot --select salesforce_people_snapshot
  switchboard snapshot --select tag:salesforce`,
    )
    .action(async (options: RunModelsOptions) => {
      // The selection is resolved here, with the project as this config loads it, so that only
      // snapshots go to the build (in the server or not).
      const config = loadConfig({ path: options.config, skipSecrets: true });
      const project = await loadConfiguredProject(modelsRuntime(config.file, process.env, process.cwd()), dialectFor(config.file.warehouse.type));
      const snapshots = selectModels(project, options.select ?? [], options.exclude ?? []).filter((m) => m.config.materialized === 'snapshot');
      if (snapshots.length === 0) {
        const what = options.select === undefined ? 'the models project has no snapshot (snapshots/*.sql)' : `--select ${options.select.join(' ')} selects no snapshot`;
        throw new ModelError('SB_MODEL_NOTHING_SELECTED', `Nothing to snapshot: ${what}${options.exclude === undefined ? '' : ' that --exclude leaves'}. Nothing ran.`);
      }
      await runModels('build', { ...options, select: snapshots.map((m) => m.name), exclude: [] });
    });
}
