import { Command } from 'commander';
import pino from 'pino';
import { loadConfig } from '../../server/config.js';
import type { Config } from '../../core/config.js';
import { SwitchboardError } from '../../core/errors.js';
import { openMigrated } from '../../server/switchboard-server.js';
import { migrationContextOf } from '../../server/migrations.js';
import { migrationLogger } from '../migration-logger.js';
import { warehouseConfigOf } from '../../sql/warehouses/index.js';
import type { SyncProgress, SyncRunResult } from '../../sync/engine.js';
import { SyncError } from '../../sync/errors.js';
import { syncerFor } from '../../sync/from-config.js';
import type { SyncRequest } from '../../sync/syncer.js';
import { runAsJob } from '../../server/jobs/standalone.js';
import { syncJobFor } from '../../server/jobs/definitions.js';
import { localUrl } from '../local-url.js';
import { postForNdjson } from '../admin-client.js';

interface SyncOptions {
  all?: boolean;
  list?: boolean;
  dryRun?: boolean;
  replayRejected?: boolean;
  config?: string;
  adminUrl?: string;
}

export function syncCommand(): Command {
  return new Command('sync')
    .description('Send what changed in the models to Salesforce, Zendesk or Slack, in the running server if there is one (it holds the DuckDB file), else directly.')
    .argument('[names...]', 'syncs to run, as named in the config (syncs[].name)')
    .option('--all', 'run every configured sync')
    .option('--list', 'list the configured syncs and exit')
    .option('--dry-run', 'show the creates, updates and deletes it would make, with samples; send nothing')
    .option('--replay-rejected', 'send again the rows the destination refused, even unchanged (after fixing the cause)')
    .option('-c, --config <file>', 'config file (syncs, destinations, the warehouse and the operator API address)')
    .option('--admin-url <url>', 'the operator API base URL (default: from admin.host and admin.port)')
    .addHelpText(
      'after',
      `
Each sync compares its model with what the destination last confirmed (switchboard_sync.snapshots,
in the warehouse) and sends only the difference. Every record's outcome goes to
switchboard_sync.outcomes; refused records wait in switchboard_sync.rejections until their row
changes or --replay-rejected. Exit status 1 when a run failed or a record was refused.
\`serve\` also runs each sync on its syncs[].schedule.

Examples:
  switchboard sync --list
  switchboard sync calls_to_salesforce --dry-run
  switchboard sync calls_to_salesforce missed_calls_to_zendesk
  switchboard sync --all
  switchboard sync missed_calls_to_zendesk --replay-rejected`,
    )
    .action(async (names: string[], options: SyncOptions) => {
      const config = loadConfig({ path: options.config, skipSecrets: true });
      const syncs = config.file.syncs;
      if (options.list === true) {
        if (syncs.length === 0) process.stdout.write('No syncs are configured (config key syncs; see README › Syncs).\n');
        for (const s of syncs) {
          process.stdout.write(`${s.name}  ${s.model ?? '(sql)'} → ${s.destination} ${s.object}  mode=${s.mode} key=${s.key} schedule="${s.schedule}" priority=${s.priority}\n`);
        }
        return;
      }
      if (syncs.length === 0 && (options.all === true || names.length > 0)) {
        throw new SyncError('SB_SYNC_NONE_CONFIGURED', noSyncsMessage(config.source), { configKey: 'syncs' });
      }
      const chosen = options.all === true ? syncs.map((s) => s.name) : names;
      if (chosen.length === 0) {
        throw new SwitchboardError('SB_CLI_BAD_OPTION', 'Name the syncs to run, or give --all (switchboard sync --list shows them).');
      }
      const unknown = chosen.filter((n) => !syncs.some((s) => s.name === n));
      if (unknown.length > 0) {
        throw new SyncError('SB_SYNC_UNKNOWN', `No sync is named ${unknown.map((n) => `"${n}"`).join(', ')} (configured: ${syncs.map((s) => s.name).join(', ') || 'none'}).`);
      }
      const request = { names: chosen, dryRun: options.dryRun === true, replayRejected: options.replayRejected === true };
      const base = options.adminUrl ?? localUrl(config.file.admin);
      const results = (await viaServer(config, base, request)) ?? (await direct(config, request));
      const bad = results.filter((r) => r.status === 'failed' || r.rejected > 0);
      if (bad.length > 0) {
        throw new SyncError('SB_SYNC_FAILED', `${bad.map((r) => r.sync).join(', ')}: ${bad.map((r) => r.error?.message ?? `${r.rejected} record(s) refused; see switchboard_sync.rejections`).join('; ')}`);
      }
    });
}

type Request = { names: string[]; dryRun: boolean; replayRejected: boolean };

/** What to add when the config has no `syncs:`: the smallest sync there is (a Slack alert). */
function noSyncsMessage(source: string | null): string {
  return `No syncs are configured in ${source ?? 'the built-in defaults (no config file)'}: the config key syncs is empty, so there is nothing to run. Add one, for example:

destinations:
  slack: {}                          # token: SWITCHBOARD_SLACK_BOT_TOKEN
syncs:
  - name: escalations_to_slack
    model: slack_escalations         # a model in models/outbound/
    key: call_id
    destination: slack
    object: C0123456789              # the Slack channel id
    mapping: { text: text }

then check it with \`switchboard sync --list\` and \`switchboard sync escalations_to_slack --dry-run\`. README › Syncs has Salesforce and Zendesk examples.`;
}

async function viaServer(config: Config, base: string, request: Request): Promise<SyncRunResult[] | null> {
  const values = await postForNdjson(config, base, '/sync', request);
  if (values === null) return null; // no server: the warehouse is free to open here
  const results: SyncRunResult[] = [];
  for await (const raw of values) {
    const value = raw as { sync: string; progress?: SyncProgress; result?: SyncRunResult; error?: { code: string; message: string }; keepAlive?: boolean };
    if (value.progress !== undefined) print(progressLine(value.sync, value.progress));
    if (value.result !== undefined) {
      results.push(value.result);
      print(resultLines(value.result));
    }
    if (value.error !== undefined) {
      results.push(failed(value.sync, value.error));
      print(`${stamp()}  ${value.sync}: ERROR ${value.error.code}: ${value.error.message}\n`);
    }
  }
  if (results.length < request.names.length) {
    throw new SwitchboardError('SB_CLI_BUILD_INTERRUPTED', `The server at ${base} ended the stream early; the syncs go on there (switchboard_sync.runs will have the outcome).`);
  }
  return results;
}

async function direct(config: Config, request: Request): Promise<SyncRunResult[]> {
  const logger = pino({ level: config.file.log.level === 'silent' ? 'silent' : 'warn' }, pino.destination(2));
  const warehouse = await openMigrated(warehouseConfigOf(config.file.warehouse, process.cwd()), migrationContextOf(config.file), migrationLogger(config));
  const syncer = syncerFor(config.file, warehouse, process.env, logger);
  // A run that sends holds the sync's job lease, as in serve: never beside a serve node's run of it.
  const held = (name: string, run: SyncRequest): Promise<SyncRunResult> => {
    const sync = syncer.syncs.find((s) => s.name === name);
    if (sync === undefined || run.dryRun === true) return syncer.run(name, run);
    return runAsJob(warehouse, config.file, syncJobFor(syncer, sync, logger), (ctx) => syncer.run(name, { ...run, signal: ctx.signal }), logger);
  };
  try {
    return await Promise.all(
      request.names.map((name) =>
        held(name, { dryRun: request.dryRun, replayRejected: request.replayRejected, onProgress: (p) => print(progressLine(name, p)) })
          .then(
            (result) => {
              print(resultLines(result));
              return result;
            },
            (error: unknown) => {
              const code = error instanceof SwitchboardError ? error.code : 'SB_SYNC_FAILED';
              print(`${stamp()}  ${name}: ERROR ${code}: ${(error as Error).message}\n`);
              return failed(name, { code, message: (error as Error).message });
            },
          ),
      ),
    );
  } finally {
    await syncer.stop();
    await warehouse.close();
  }
}

function failed(sync: string, error: { code: string; message: string }): SyncRunResult {
  const now = new Date().toISOString();
  return {
    runId: '', sync, destination: '', dryRun: false, status: 'failed', planned: { create: 0, update: 0, delete: 0, skip: 0 },
    sent: 0, rejected: 0, retrying: 0, skipped: 0, samples: [], error, startedAt: now, finishedAt: now, seconds: 0,
  };
}

function print(text: string): void {
  process.stdout.write(text);
}

function stamp(): string {
  return new Date().toISOString().slice(11, 19);
}

const n = (value: number): string => value.toLocaleString('en-US');

export function progressLine(sync: string, p: SyncProgress): string {
  if (p.phase === 'planned') {
    const { create, update, delete: del, skip } = p.planned;
    return `${stamp()}  ${sync}: ${n(p.total)} changes: ${n(create)} to create, ${n(update)} to update, ${n(del)} to delete${skip > 0 ? `, ${n(skip)} skipped (create-only)` : ''}\n`;
  }
  if (p.phase === 'sent') return `${stamp()}  ${sync}: ${n(p.done)}/${n(p.total)} (sent ${n(p.sent)}, rejected ${n(p.rejected)}, retrying ${n(p.retrying)})\n`;
  return `${stamp()}  ${sync}: attempt ${p.attempt} failed (${p.reason}); retrying in ${(p.delayMs / 1000).toFixed(1)}s\n`;
}

export function resultLines(r: SyncRunResult): string {
  const lines: string[] = [];
  if (r.dryRun) {
    for (const s of r.samples) lines.push(`          ${s.action.padEnd(6)} ${s.key}  ${JSON.stringify(s.fields)}`);
    lines.push(`${stamp()}  ${r.sync}: DRY RUN: nothing sent (${r.seconds.toFixed(2)}s)`);
  } else {
    const label = r.status === 'success' ? 'OK' : r.status === 'partial' ? 'PARTIAL' : 'FAILED';
    lines.push(`${stamp()}  ${r.sync}: ${label}: sent ${n(r.sent)}, rejected ${n(r.rejected)}, retrying ${n(r.retrying)}, skipped ${n(r.skipped)} in ${r.seconds.toFixed(2)}s (run ${r.runId})`);
    if (r.error !== null) lines.push(`          ${r.error.code}: ${r.error.message}`);
    if (r.rejected > 0) lines.push(`          refused records: switchboard sql "SELECT key, code, reason FROM switchboard_sync.rejections WHERE sync_name = '${r.sync}'"`);
  }
  return `${lines.join('\n')}\n`;
}
