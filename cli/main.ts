#!/usr/bin/env node
/**
 * The `switchboard` command. Each subcommand lives in its own file under cli/commands/;
 * this file only registers them and turns errors into one clear line and an exit code.
 */
import { Command } from 'commander';
import { SwitchboardError } from '../core/errors.js';
import { serveCommand } from './commands/serve.js';
import { sendTestEventCommand } from './commands/send-test-event.js';
import { statusCommand } from './commands/status.js';
import { replayCommand } from './commands/replay.js';
import { sqlCommand } from './commands/sql.js';
import { syncCommand } from './commands/sync.js';
import { buildCommand } from './commands/build.js';
import { testCommand } from './commands/test.js';
import { seedCommand } from './commands/seed.js';
import { compileCommand } from './commands/compile.js';
import { pullCommand } from './commands/pull.js';
import { adminTokenCommand } from './commands/admin-token.js';
import { dlqCommand } from './commands/dlq.js';
import { initModelsCommand } from './commands/init-models.js';

const program = new Command()
  .name('switchboard')
  .description('Land 8x8 calls, messages and meetings in your warehouse.')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .addHelpText(
    'after',
    `
Configuration: ./switchboard.yaml (or --config, or SWITCHBOARD_CONFIG); with none, everything runs
locally on DuckDB under ./data/. Secrets come from SWITCHBOARD_* environment variables.
Docs: README.md (quickstart, configuration, operations) and docs/errors.md (every error code).`,
  );

program.addCommand(serveCommand());
program.addCommand(sendTestEventCommand());
program.addCommand(statusCommand());
program.addCommand(replayCommand());
program.addCommand(sqlCommand());
program.addCommand(syncCommand());
program.addCommand(pullCommand());
program.addCommand(dlqCommand());
program.addCommand(buildCommand());
program.addCommand(testCommand());
program.addCommand(seedCommand());
program.addCommand(compileCommand());
program.addCommand(initModelsCommand());
program.addCommand(adminTokenCommand());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof SwitchboardError) {
    process.stderr.write(`error ${error.code}: ${error.message}\n`);
    process.exitCode = error.code.startsWith('SB_CONFIG') ? 2 : 1;
  } else {
    process.stderr.write(`error: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}
