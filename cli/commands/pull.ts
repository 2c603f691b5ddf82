import { Command } from 'commander';
import { DateTime } from 'luxon';
import pino from 'pino';
import { loadConfig } from '../../server/config.js';
import type { Config } from '../../core/config.js';
import { SwitchboardError } from '../../core/errors.js';
import { openMigrated } from '../../server/switchboard-server.js';
import { migrationContextOf } from '../../server/migrations.js';
import { migrationLogger } from '../migration-logger.js';
import { warehouseConfigOf } from '../../sql/warehouses/index.js';
import { configuredSources, pullerFor } from '../../ingest/pulls/from-config.js';
import { runAsJob } from '../../server/jobs/standalone.js';
import { pullJobFor } from '../../server/jobs/definitions.js';
import type { PullEvent, PullRunResult } from '../../ingest/pulls/runner.js';
import type { PullRange } from '../../ingest/pulls/source.js';
import { localUrl } from '../local-url.js';
import { postForNdjson } from '../admin-client.js';

interface PullOptions {
  from?: string;
  to?: string;
  restart?: boolean;
  list?: boolean;
  config?: string;
  adminUrl?: string;
}

export function pullCommand(): Command {
  return new Command('pull')
    .description("Pull history from 8x8's APIs into the raw tables (a backfill with --from/--to, else the scheduled incremental pull), in the running server if there is one, else directly.")
    .argument('[source]', 'the source: work-analytics, cc-interactions, connect-sms, connect-chatapps or connect-voice (as configured)')
    .option('--from <time>', 'backfill start, inclusive: a date (2026-01-01, midnight UTC) or an ISO time with offset')
    .option('--to <time>', 'backfill end, exclusive (default with --from: now)')
    .option('--restart', 'read a backfill range again even if it finished before (the dedupe keys merge what lands twice)')
    .option('--list', 'list the configured sources and exit')
    .option('-c, --config <file>', 'config file (pulls.*, the warehouse and the operator API address)')
    .option('--admin-url <url>', 'the operator API base URL (default: from admin.host and admin.port)')
    .addHelpText(
      'after',
      `
Pulled records land in the same raw tables as the webhooks, with their own dedupe keys; the
models merge push and pull into one row per call or message (switchboard build), and
analytics.reconciliation_daily shows what only the pull saw: webhooks that never came.

Each page lands together with the source's cursor (<rawSchema>._pull_cursors), so a pull
that is stopped or killed resumes where it stopped: run the same command again. A backfill
keeps its own cursor per range; running it again after it finished does nothing (--restart).
Without --to it runs to now, and running it again resumes an unfinished one with the same
--from (to its original end).
Runs are recorded in <rawSchema>._pull_runs. Parts of a range the API cannot serve (Work
Analytics keeps 2 years) are skipped with a message saying so.
\`serve\` runs each source on its pulls.<source>.schedule (hourly by default).

Examples:
  switchboard pull --list
  switchboard pull work-analytics --from 2026-01-01 --to 2026-02-01
  switchboard pull connect-sms --from 2026-11-01
  switchboard pull cc-interactions            # the incremental pull, as serve runs it`,
    )
    .action(async (name: string | undefined, options: PullOptions) => {
      const config = loadConfig({ path: options.config, skipSecrets: true });
      const sources = configuredSources(config.file, process.env);
      if (options.list === true) {
        if (sources.length === 0) process.stdout.write('No pull sources are configured (config keys pulls.workAnalytics, pulls.ccInteractions, pulls.connect; see README › Pulls).\n');
        for (const s of sources) process.stdout.write(`${s.name.padEnd(17)} ${s.description}  schedule="${s.schedule}" (${s.configKey})\n`);
        return;
      }
      if (name === undefined) throw new SwitchboardError('SB_CLI_BAD_OPTION', 'Name the source to pull (switchboard pull --list shows them).');
      if (!sources.some((s) => s.name === name)) {
        throw new SwitchboardError('SB_PULL_UNKNOWN', `No pull source "${name}" is configured (configured: ${sources.map((s) => s.name).join(', ') || 'none'}). Sources come from the config keys pulls.workAnalytics, pulls.ccInteractions and pulls.connect (README › Pulls).`, { configKey: 'pulls' });
      }
      const range = rangeOf(options);
      const openEnded = range !== undefined && options.to === undefined;
      // An open-ended backfill sends no `to`: the server runs it to its own now.
      const request = { source: name, ...(range === undefined ? {} : { from: range.from.toISOString() }), ...(range === undefined || openEnded ? {} : { to: range.to.toISOString() }), restart: options.restart === true };
      const base = options.adminUrl ?? localUrl(config.file.admin);
      const view = new ProgressView(process.stdout);
      const result = (await viaServer(config, base, request, view)) ?? (await direct(config, name, range, options.restart === true, openEnded, view));
      view.done(result);
    });
}

/** --from/--to as a range: dates are midnight UTC; --to defaults to now. */
export function rangeOf(options: { from?: string; to?: string }, now = new Date()): PullRange | undefined {
  if (options.from === undefined && options.to === undefined) return undefined;
  if (options.from === undefined) throw new SwitchboardError('SB_PULL_RANGE', '--to needs --from: give the start of the backfill, e.g. --from 2026-01-01.');
  const from = parseTime(options.from, '--from');
  const to = options.to === undefined ? now : parseTime(options.to, '--to');
  if (to <= from) throw new SwitchboardError('SB_PULL_RANGE', `--from (${from.toISOString()}) must be before --to (${to.toISOString()}).`);
  return { from, to };
}

function parseTime(value: string, flag: string): Date {
  const parsed = DateTime.fromISO(value, { zone: 'utc', setZone: true });
  if (!parsed.isValid) {
    throw new SwitchboardError('SB_PULL_RANGE', `${flag} "${value}" is not a date or time: use 2026-01-01 (midnight UTC) or 2026-01-01T09:00:00-05:00.`);
  }
  return parsed.toJSDate();
}

type Request = { source: string; from?: string; to?: string; restart: boolean };

async function viaServer(config: Config, base: string, request: Request, view: ProgressView): Promise<PullRunResult | null> {
  const values = await postForNdjson(config, base, '/pull', request);
  if (values === null) return null; // no server: the warehouse is free to open here
  for await (const raw of values) {
    const value = raw as { event?: PullEvent; result?: PullRunResult; error?: { code: string; message: string } };
    if (value.event !== undefined) view.event(value.event);
    if (value.result !== undefined) return value.result;
    if (value.error !== undefined) throw new SwitchboardError(value.error.code, value.error.message);
  }
  throw new SwitchboardError('SB_CLI_BUILD_INTERRUPTED', `The server at ${base} ended the stream early; the pull goes on there (<rawSchema>._pull_runs will have the outcome).`);
}

async function direct(config: Config, name: string, range: PullRange | undefined, restart: boolean, openEnded: boolean, view: ProgressView): Promise<PullRunResult> {
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const warehouse = await openMigrated(warehouseConfigOf(config.file.warehouse, process.cwd()), migrationContextOf(config.file), migrationLogger(config));
  const puller = pullerFor(config.file, warehouse, process.env, logger);
  const stop = new AbortController();
  const onSignal = (): void => {
    process.stderr.write('\nStopping after the page in flight; run the same command again to resume.\n');
    stop.abort(new SwitchboardError('SB_PULL_STOPPED', 'stopped by the operator; run the same command again to resume where it stopped'));
  };
  process.once('SIGINT', onSignal);
  try {
    const run = (signal: AbortSignal): Promise<PullRunResult> =>
      puller.run(name, { ...(range === undefined ? {} : { range }), restart, openEnded, signal, onProgress: (event) => view.event(event) });
    const source = puller.sources.find((s) => s.name === name);
    if (source === undefined) return await run(stop.signal); // refused with SB_PULL_UNKNOWN
    // Held as the pull's job, as in serve: never beside a serve node's run of the same source.
    return await runAsJob(warehouse, config.file, pullJobFor(puller, source, logger), (ctx) => run(AbortSignal.any([stop.signal, ctx.signal])), logger);
  } finally {
    process.off('SIGINT', onSignal);
    await puller.stop();
    await warehouse.close();
  }
}

const n = (value: number): string => value.toLocaleString('en-US');

/** A progress bar on a terminal, one line per step otherwise (logs, CI). */
export class ProgressView {
  private readonly tty: boolean;
  private lastStep = '';
  private drawn = false;

  constructor(private readonly out: NodeJS.WriteStream | { write(text: string): unknown; isTTY?: boolean }) {
    this.tty = out.isTTY === true;
  }

  event(event: PullEvent): void {
    switch (event.phase) {
      case 'start':
        this.line(`${event.source}: ${event.mode === 'backfill' ? 'backfill' : 'incremental pull'} ${event.from} … ${event.to}${event.resumed ? ' (resuming where the last run stopped)' : ''}`);
        return;
      case 'skipped':
        this.line(`${event.source}: SKIPPED ${event.skipped.message}`);
        return;
      case 'waiting':
        this.line(`${event.source}: ${event.progress.step}: ${event.note}`);
        return;
      case 'page': {
        const p = event.progress;
        if (this.tty) {
          const width = 24;
          const filled = p.steps > 0 ? Math.round((width * Math.min(p.stepIndex, p.steps)) / p.steps) : 0;
          this.out.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${p.stepIndex}/${p.steps} ${p.step}  ${n(p.landed)} landed\x1b[K`);
          this.drawn = true;
        } else if (p.step !== this.lastStep) {
          this.line(`${event.source}: ${p.stepIndex}/${p.steps} ${p.step} (${n(p.landed)} landed so far)`);
        }
        this.lastStep = p.step;
      }
    }
  }

  done(result: PullRunResult): void {
    if (result.status === 'nothing-to-do') {
      this.line(`${result.source}: nothing to do: ${result.from} … ${result.to} was pulled before (--restart reads it again)`);
      return;
    }
    this.line(`${result.source}: OK: ${n(result.landed)} records in ${n(result.pages)} pages, ${result.from} … ${result.to}, in ${result.seconds.toFixed(1)}s (run ${result.runId})`);
    if (result.skipped.length > 0) this.line(`${result.source}: ${result.skipped.length} part(s) of the range skipped (see above)`);
    // Older servers answer without notes.
    for (const note of result.notes ?? []) this.line(`${result.source}: NOTE ${note.code}: ${note.message}`);
    this.line('Next: switchboard build merges them into the curated tables.');
  }

  private line(text: string): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
    this.out.write(`${new Date().toISOString().slice(11, 19)}  ${text}\n`);
  }
}
