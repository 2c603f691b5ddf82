import { Command } from 'commander';
import { loadConfig } from '../../server/config.js';
import { SwitchboardError } from '../../core/errors.js';
import { compileModel } from '../../sql/engine/compile.js';
import { ModelError } from '../../sql/engine/errors.js';
import { modelsRuntime } from '../../sql/engine/from-config.js';
import { loadProject } from '../../sql/engine/project.js';
import { selectModels } from '../../sql/engine/select.js';
import { DIALECT_NAMES as TARGETS, dialectFor, isDialectName } from '../../sql/warehouses/index.js';

export function compileCommand(): Command {
  return new Command('compile')
    .description("Print a model's final SQL for a warehouse: refs, sources and macros resolved. Connects to nothing.")
    .argument('<model>', 'the model name (its file name without .sql), e.g. calls')
    .option('-t, --target <warehouse>', `${TARGETS.join(', ')} (default: warehouse.type)`)
    .option('--incremental', 'compile the {% if is_incremental() %} branch, as builds do once the table exists')
    .option('-c, --config <file>', 'config file (for models.* and the warehouse type)')
    .addHelpText(
      'after',
      `
This is the SELECT that build wraps in its materialization (view, table swap, or an
incremental delete+insert on the unique key).

Examples:
  switchboard compile calls
  switchboard compile calls --target bigquery
  switchboard compile stg_message_events --target snowflake --incremental`,
    )
    .action(async (name: string, options: { target?: string; incremental?: boolean; config?: string }) => {
      const config = loadConfig({ path: options.config, skipSecrets: true });
      const target = options.target ?? config.file.warehouse.type;
      if (!isDialectName(target)) {
        throw new SwitchboardError('SB_CLI_BAD_OPTION', `--target must be ${TARGETS.join(', ')}, not "${target}".`);
      }
      if (!/^[A-Za-z0-9_]+$/.test(name)) {
        throw new ModelError('SB_MODEL_SELECTOR', `compile takes one model name, not a selector ("${name}").`);
      }
      const dialect = dialectFor(target);
      const runtime = modelsRuntime(config.file, process.env, process.cwd());
      const project = await loadProject(runtime.projectDir, dialect);
      const [model] = selectModels(project, [name]); // an unknown name fails here, with "did you mean"
      if (model === undefined) throw new ModelError('SB_MODEL_SELECTOR', `No model is named "${name}".`);
      const sql = compileModel(project, model, { ...runtime.settings, dialect, incremental: options.incremental === true });
      process.stdout.write(`${sql.trim()}\n`);
    });
}
