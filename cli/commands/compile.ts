import { Command } from 'commander';
import { loadConfig } from '../../server/config.js';
import type { Config } from '../../core/config.js';
import { SwitchboardError } from '../../core/errors.js';
import { compileModel } from '../../sql/engine/compile.js';
import { dryRunModel, overLimit } from '../../sql/engine/dry-run.js';
import { ModelError } from '../../sql/engine/errors.js';
import { loadConfiguredProject, modelsRuntime } from '../../sql/engine/from-config.js';
import type { Model, Project } from '../../sql/engine/model.js';
import type { ProjectSettings } from '../../sql/engine/run.js';
import { selectModels } from '../../sql/engine/select.js';
import { DIALECT_NAMES as TARGETS, describeWarehouse, dialectFor, isDialectName, openWarehouse, warehouseConfigOf } from '../../sql/warehouses/index.js';
import { dryRunJson, dryRunLine } from '../dry-run-output.js';

interface CompileOptions {
  target?: string;
  incremental?: boolean;
  dryRun?: boolean;
  json?: boolean;
  config?: string;
}

export function compileCommand(): Command {
  return new Command('compile')
    .description("Print a model's final SQL for a warehouse: refs, sources and macros resolved. Connects to nothing, unless --dry-run.")
    .argument('<model>', 'the model name (its file name without .sql), e.g. calls')
    .option('-t, --target <warehouse>', `${TARGETS.join(', ')} (default: warehouse.type)`)
    .option('--incremental', 'compile the {% if is_incremental() %} branch, as builds do once the table exists')
    .option('--dry-run', 'also check the SQL in the configured warehouse without running it, and print what it would read (BigQuery: bytes)')
    .option('--json', 'with --dry-run: print the SQL and the estimate as JSON, for scripts')
    .option('-c, --config <file>', 'config file (for models.* and the warehouse)')
    .addHelpText(
      'after',
      `
This is the SELECT that build wraps in its materialization (view, table swap, or an
incremental build by the model's incremental_strategy: delete+insert, merge or append on
its unique key). For an incremental model a first SQL comment line names the strategy.

--dry-run connects to the configured warehouse (warehouse.*) and asks it to check the SELECT
without running it; nothing is read, written or billed. BigQuery answers with a dry-run job
and the bytes it would scan, shown against warehouse.maximumBytesBilled; DuckDB and Postgres
check names and syntax and give no byte estimate. Exit status 1 when the warehouse refuses
the SQL (SB_MODEL_DRY_RUN_FAILED, with its message) or the estimate is over the cap
(SB_MODEL_DRY_RUN_OVER_LIMIT). --target must then be the configured warehouse.type.

Examples:
  switchboard compile calls
  switchboard compile calls --target bigquery
  switchboard compile stg_message_events --target snowflake --incremental
  switchboard compile calls --dry-run                  # with warehouse.type: bigquery
  switchboard compile stg_voice_legs --dry-run --incremental --json`,
    )
    .action(async (name: string, options: CompileOptions) => {
      const config = loadConfig({ path: options.config, skipSecrets: true });
      const configured = config.file.warehouse.type;
      const target = options.target ?? configured;
      if (!isDialectName(target)) {
        throw new SwitchboardError('SB_CLI_BAD_OPTION', `--target must be ${TARGETS.join(', ')}, not "${target}".`);
      }
      if (options.dryRun === true && target !== configured) {
        throw new SwitchboardError(
          'SB_CLI_BAD_OPTION',
          `--dry-run asks the configured warehouse, which is ${configured} (warehouse.type), not ${target}. ` +
            `Drop --target, or set warehouse.type: ${target} (with its warehouse.* keys) in the config to dry-run there.`,
          { configKey: 'warehouse.type' },
        );
      }
      if (options.json === true && options.dryRun !== true) {
        throw new SwitchboardError('SB_CLI_BAD_OPTION', '--json goes with --dry-run; without it compile prints the SQL alone.');
      }
      if (!/^[A-Za-z0-9_]+$/.test(name)) {
        throw new ModelError('SB_MODEL_SELECTOR', `compile takes one model name, not a selector ("${name}").`);
      }
      const dialect = dialectFor(target);
      const runtime = modelsRuntime(config.file, process.env, process.cwd());
      const project = await loadConfiguredProject(runtime, dialect);
      const [model] = selectModels(project, [name]); // an unknown name fails here, with "did you mean"
      if (model === undefined) throw new ModelError('SB_MODEL_SELECTOR', `No model is named "${name}".`);
      const incremental = options.incremental === true;
      if (options.dryRun === true) {
        await dryRun(config, project, model, runtime.settings, { incremental, json: options.json === true });
        return;
      }
      const sql = compileModel(project, model, { ...runtime.settings, dialect, incremental });
      process.stdout.write(`${strategyComment(model)}${sql.trim()}\n`);
    });
}

/**
 * Opens the configured warehouse as `switchboard sql` does (no migrations: a dry run writes
 * nothing), compiles the model with that warehouse's dialect (its schema or dataset prefix)
 * and prints the SQL with the warehouse's answer.
 */
async function dryRun(config: Config, project: Project, model: Model, settings: ProjectSettings, { incremental, json }: { incremental: boolean; json: boolean }): Promise<void> {
  const warehouse = await openWarehouse(warehouseConfigOf(config.file.warehouse, process.cwd()));
  try {
    const result = await dryRunModel(warehouse, project, model, settings, { incremental });
    const described = describeWarehouse(config.file.warehouse);
    const strategy = model.config.materialized === 'incremental' ? model.config.incrementalStrategy : null;
    process.stdout.write(
      json ? `${JSON.stringify(dryRunJson(model.name, incremental, described, result, strategy), null, 2)}\n` : `${strategyComment(model)}${result.sql}\n${dryRunLine(described, result.estimate)}\n`,
    );
    const refusal = overLimit(model, result.estimate);
    if (refusal !== null) throw refusal;
  } finally {
    await warehouse.close();
  }
}

/**
 * For an incremental model, a SQL comment line naming how builds apply its rows, in the
 * config's own words, e.g. `-- incremental_strategy='merge', unique_key='call_id'`; else ''.
 */
function strategyComment(model: Model): string {
  const { materialized, incrementalStrategy, uniqueKey } = model.config;
  if (materialized !== 'incremental') return '';
  const key = uniqueKey.length === 0 ? '' : `, unique_key=${uniqueKey.length === 1 ? `'${uniqueKey[0]}'` : `[${uniqueKey.map((k) => `'${k}'`).join(', ')}]`}`;
  return `-- incremental_strategy='${incrementalStrategy}'${key}\n`;
}
